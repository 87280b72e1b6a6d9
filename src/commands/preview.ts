// firstboot preview: boot the exact user-data in a local VM and report the first boot.
// `firstboot preview build-base --release trixie` builds the Debian base image it boots.
import type { CAC } from "cac";
import { cli as usage, preview as msg } from "../catalogue.js";
import { compile } from "../compile.js";
import { hasProgram } from "../exec.js";
import { buildBase } from "../vm/base-image.js";
import { DEFAULT_BASE } from "../vm/base-image-plan.js";
import { cacheRoot } from "../vm/cache.js";
import { accelLabel } from "../vm/qemu-argv.js";
import { collectReport } from "../vm/report.js";
import { detectAccel, PreviewInputError, startSession, type SessionOptions } from "../vm/session.js";
import { sshCommandLine } from "../ssh/index.js";
import { stepTable } from "../vm/preview-plan.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";

interface Flags {
  keep?: boolean;
  withBackupTarget?: boolean;
  baseImage?: string;
  memory: number;
  cpus: number;
  timeout: number;
  release: string;
  mirror: string;
  config?: string;
}

const say = (line: string) => process.stdout.write(line + "\n");

async function buildBaseCommand(f: Flags): Promise<void> {
  if (process.getuid?.() !== 0) throw new Exit(EXIT.failure, msg.needRoot());
  const t0 = Date.now();
  const p = await buildBase(cacheRoot(), { ...DEFAULT_BASE, release: f.release, mirror: f.mirror }, (m) =>
    say(`build-base: ${m}`),
  );
  say(msg.baseBuilt(p.disk, (Date.now() - t0) / 1000));
}

function sessionOptions(file: string, root: string, f: Flags): SessionOptions {
  return {
    configPath: file,
    root,
    baseImage: f.baseImage,
    memoryMiB: f.memory,
    cpus: f.cpus,
    deadlineMs: f.timeout * 60_000,
    withBackupTarget: f.withBackupTarget,
    say,
    onStep: (s) => say(msg.step(s.name, s.status, s.ms)),
    onSsh: (ms, port) => say(msg.sshUp(ms / 1000, port)),
  };
}

async function previewCommand(file: string, f: Flags): Promise<void> {
  // Bad input is told before anything is printed or looked for (qemu, the base image).
  const checked = await compile(file);
  if (!checked.ok) throw new Exit(EXIT.badInput, checked.text + "\n" + usage.problems(checked.diagnostics.length));
  if (!(await hasProgram("qemu-system-x86_64"))) throw new Exit(EXIT.failure, msg.noQemu());
  say(msg.accel(accelLabel(detectAccel()), f.cpus, f.memory));
  const root = cacheRoot();
  let session;
  try {
    session = await startSession(sessionOptions(file, root, f));
  } catch (e) {
    if (e instanceof PreviewInputError) throw new Exit(EXIT.badInput, e.message);
    throw new Exit(EXIT.failure, msg.failed((e as Error).message, `${root}/vms`));
  }
  const { boot } = session;
  say(msg.ready(boot.readyMs / 1000, boot.attempts));
  const r = await collectReport(session);
  if (session.status) say(stepTable(session.status.steps));
  say(msg.cloudInit(r.cloudInit.status, r.cloudInit.errors));
  say(msg.healthy(r.healthy, r.healthDetail));
  for (const p of r.ports) say(msg.port(p.proto, p.guest, p.host, p.answers));
  say(msg.open(r.open));
  const ok = r.cloudInit.status === "done" && session.status?.result === "ok" && r.healthy;
  if (f.keep) say(msg.keep(sshCommandLine(session.target), boot.vm.pid, boot.vm.paths.dir));
  else {
    await boot.vm.stop();
    say(msg.stopped());
  }
  if (!ok) throw new Exit(EXIT.failure);
}

export function register(cli: CAC): void {
  configOption(
    cli.command(
      "preview [config]",
      "Boot the exact user-data in a local VM and report the first boot (`preview build-base` makes the base image)",
    ),
  )
    .option("--keep", "Leave the VM running and print how to log in and stop it")
    .option(
      "--base-image <path>",
      "qcow2 disk to boot instead of the cached base (vmlinuz/initrd.img beside it mean direct kernel boot)",
    )
    .option(
      "--with-backup-target",
      "Let the VM upload backups to the config's real target (without it, backups stay on the VM and the target is only read)",
    )
    .option("--memory <mib>", "VM memory in MiB", { default: 2048 })
    .option("--cpus <n>", "VM vCPUs", { default: 2 })
    .option("--timeout <minutes>", "Wall-clock limit for the VM", { default: 30 })
    .option("--release <codename>", "build-base: Debian release", { default: "trixie" })
    .option("--mirror <url>", "build-base: Debian mirror", { default: DEFAULT_BASE.mirror })
    .example("firstboot preview -c examples/selfmx/firstboot.yaml --keep")
    .example("sudo firstboot preview build-base --release trixie")
    .action(async (config: string | undefined, f: Flags) => {
      const flags = { ...f, memory: Number(f.memory), cpus: Number(f.cpus), timeout: Number(f.timeout) };
      if (![flags.memory, flags.cpus, flags.timeout].every((n) => Number.isInteger(n) && n > 0)) {
        throw new Exit(EXIT.badInput, usage.previewNumbers());
      }
      if (config === "build-base") return buildBaseCommand(flags);
      return previewCommand(configFile(config, f), flags);
    });
}
