// `firstboot preview` without the printing: compile the config, pick or build the base image,
// boot the exact user-data (plus the preview's throwaway key), follow the first boot and collect
// what the report shows. The command in src/commands/preview.ts prints and exits.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { compile } from "../compile.js";
import type { Config } from "../config/schema.js";
import { run } from "../exec.js";
import { keygenArgv, type SshTarget } from "../ssh/index.js";
import { buildBase, findBase } from "./base-image.js";
import { DEFAULT_BASE } from "./base-image-plan.js";
import { sshKeyPath, vmPaths } from "./cache.js";
import { preview as msg } from "../catalogue.js";
import { ssh } from "./guest.js";
import { bootUntilReady, type BootResult } from "./harness.js";
import { parseStatus, type BootStatus, type StepStatus } from "../boot-status.js";
import { STATUS_FILE } from "../server-contract.js";
import { addAdminKey, guestPorts, releaseFor, serialSteps, type GuestPort } from "./preview-plan.js";
import { chooseAccel, type Accel } from "./qemu-argv.js";
import type { VmSpec } from "./vm.js";

export interface SessionOptions {
  configPath: string;
  root: string;
  baseImage?: string;
  memoryMiB: number;
  cpus: number;
  /** Wall-clock limit for the VM (it is killed after it, --keep or not). */
  deadlineMs: number;
  env?: NodeJS.ProcessEnv;
  /** VM directory name under <cache>/vms. */
  vmName?: string;
  /** Boot this disk (e.g. a golden disk) instead of resolving the base image. */
  disk?: Disk;
  /** Guest ports to forward besides the compose file's published ones (tests probe them). */
  extraGuestPorts?: GuestPort[];
  /** Let the VM upload backups to (and prune, promote on) the config's real target; default: it only reads it. */
  withBackupTarget?: boolean;
  say: (line: string) => void;
  onStep?: (s: StepStatus) => void;
  onSsh?: (ms: number, port: number) => void;
}

export interface Session {
  config: Config;
  accel: Accel;
  boot: BootResult;
  target: SshTarget;
  status?: BootStatus;
}

export async function ensureKey(root: string): Promise<{ key: string; pub: string }> {
  const key = sshKeyPath(root);
  await mkdir(dirname(key), { recursive: true, mode: 0o700 });
  if (!existsSync(key)) await run(keygenArgv(key, "firstboot-preview"));
  return { key, pub: (await readFile(`${key}.pub`, "utf8")).trim() };
}

export function detectAccel(): Accel {
  return chooseAccel(readFileSync("/proc/cpuinfo", "utf8"), existsSync("/dev/kvm"));
}

export interface Disk {
  backing: string;
  kernel?: string;
  initrd?: string;
}

/** --base-image PATH (kernel/initrd beside it mean direct boot), else the cached build, built on demand. */
export async function resolveBase(o: SessionOptions, image: string): Promise<Disk> {
  if (o.disk) return o.disk;
  if (o.baseImage) {
    const dir = dirname(o.baseImage);
    const k = join(dir, "vmlinuz");
    const i = join(dir, "initrd.img");
    return existsSync(k) && existsSync(i) ? { backing: o.baseImage, kernel: k, initrd: i } : { backing: o.baseImage };
  }
  const release = releaseFor(image);
  if (!release)
    throw new PreviewInputError(`no local base image for ${image}: pass --base-image PATH (a qcow2 cloud image)`);
  const found = await findBase(o.root, release);
  if (found) return { backing: found.disk, kernel: found.kernel, initrd: found.initrd };
  o.say(
    `no ${release} base image in ${o.root}/base yet: building it (firstboot preview build-base --release ${release})`,
  );
  const built = await buildBase(o.root, { ...DEFAULT_BASE, release }, (m) => o.say(`  build-base: ${m}`));
  return { backing: built.disk, kernel: built.kernel, initrd: built.initrd };
}

export class PreviewInputError extends Error {}

export async function readStatus(t: SshTarget): Promise<BootStatus | undefined> {
  const r = await ssh(t, `sudo cat ${STATUS_FILE} 2>/dev/null || true`, 30_000);
  return parseStatus(r.stdout);
}

/** Reports each runner step once as the serial console shows it (a retry starts a new log). */
function serialProgress(o: SessionOptions): { onSerial: (text: string) => void; shown: () => number } {
  let shown = 0;
  const onSerial = (text: string) => {
    const steps = serialSteps(text);
    if (steps.length < shown) shown = 0;
    for (const step of steps.slice(shown)) o.onStep?.(step);
    shown = steps.length;
  };
  return { onSerial, shown: () => shown };
}

export async function startSession(o: SessionOptions): Promise<Session> {
  const c = await compile(o.configPath, { env: o.env, render: { backupReadOnly: !o.withBackupTarget } });
  if (!c.ok) throw new PreviewInputError(c.text);
  if (c.config.backup?.target) o.say(o.withBackupTarget ? msg.backupTargetWrite() : msg.backupTargetRead());
  const { key, pub } = await ensureKey(o.root);
  const published = c.loaded.published;
  const disk = await resolveBase(o, c.config.server.image);
  const accel = detectAccel();
  const spec: VmSpec = {
    name: o.vmName ?? c.config.name,
    root: o.root,
    ...disk,
    userData: addAdminKey(c.document, c.config.admin.user, pub),
    hostname: c.config.server.hostname ?? c.config.name,
    guestPorts: [...guestPorts(published), ...(o.extraGuestPorts ?? [])],
    accel,
    memoryMiB: o.memoryMiB,
    cpus: o.cpus,
    deadlineMs: o.deadlineMs,
  };
  o.say(msg.booting(disk.backing, vmPaths(o.root, spec.name).dir));
  const progress = serialProgress(o);
  const boot = await bootUntilReady(spec, c.config.admin.user, key, {
    sshTimeoutMs: 600_000,
    cloudInitTimeoutMs: o.deadlineMs,
    log: o.say,
    onSerial: progress.onSerial,
    onSsh: (ms, vm) => o.onSsh?.(ms, vm.sshPort),
  });
  const status = await readStatus(boot.target);
  if (status) for (const step of status.steps.slice(progress.shown())) o.onStep?.(step);
  return { config: c.config, accel, boot, target: boot.target, status };
}
