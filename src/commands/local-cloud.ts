// firstboot local-cloud start: the fake Hetzner API with real VMs, to rehearse build-image, up,
// replace and rollback locally. Prints the export lines; Ctrl-C stops every VM it started.
import { appendFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import type { CAC } from "cac";
import { localCloud as msg, preview } from "../catalogue.js";
import { hasProgram } from "../exec.js";
import { startLocalCloud } from "../fake-cloud/local-cloud.js";
import { parsePorts } from "../fake-cloud/vm-argv.js";
import { cacheRoot } from "../vm/cache.js";
import { accelLabel } from "../vm/qemu-argv.js";
import { EXIT, Exit } from "./io.js";
import { checkOutputs, outputError, writeProblem } from "./output.js";

interface Flags {
  port: number | string;
  ports: string;
  memory: number | string;
  cpus: number | string;
  maxHours: number | string;
  requestLog?: string;
}

function numbers(f: Flags): { port: number; memory: number; cpus: number; hours: number } {
  const n = { port: Number(f.port), memory: Number(f.memory), cpus: Number(f.cpus), hours: Number(f.maxHours) };
  const ok =
    Number.isInteger(n.port) &&
    n.port >= 0 &&
    n.port <= 65535 &&
    [n.memory, n.cpus, n.hours].every((x) => Number.isInteger(x) && x > 0);
  if (!ok) throw new Exit(EXIT.badInput, msg.badNumbers());
  return n;
}

/** The request log is opened (and created) up front: a bad path is bad input, not a crash mid-run. */
async function checkLog(file: string | undefined): Promise<void> {
  if (file === undefined) return;
  await checkOutputs("--request-log", [file]);
  const fh = await open(file, "a", 0o600).catch((err: unknown) => {
    throw outputError("--request-log", file, writeProblem(err, dirname(file)));
  });
  await fh.close();
}

async function start(f: Flags): Promise<void> {
  const n = numbers(f);
  const ports = parsePorts(String(f.ports));
  if (!ports) throw new Exit(EXIT.badInput, msg.badPorts(String(f.ports)));
  await checkLog(f.requestLog);
  if (!(await hasProgram("qemu-system-x86_64"))) throw new Exit(EXIT.failure, preview.noQemu());
  const say = (line: string) => process.stderr.write(line + "\n");
  const log = f.requestLog;
  const cloud = await startLocalCloud({
    root: cacheRoot(),
    ports,
    memoryMiB: n.memory,
    cpus: n.cpus,
    deadlineMs: n.hours * 3_600_000,
    port: n.port,
    log: say,
    onReply: log
      ? (e) => appendFileSync(log, `${new Date().toISOString()} ${e.method} ${e.path}${e.query} ${e.status ?? "-"}\n`)
      : undefined,
  });
  say(msg.started(cloud.api.endpoint, accelLabel(cloud.accel), n.cpus, n.memory));
  process.stdout.write(msg.exports(cloud.api.endpoint) + "\n");
  say(msg.addresses(ports));
  await new Promise<void>((resolve) => {
    const stop = () => {
      say(msg.stopping());
      void cloud.api.close().then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  say(msg.stopped(cloud.api.state.log.length));
}

export function register(cli: CAC): void {
  cli
    .command(
      "local-cloud <action>",
      "Rehearse locally: a fake Hetzner API whose servers are real VMs (`local-cloud start`)",
    )
    .example("firstboot local-cloud start   # then, in another shell: export HCLOUD_ENDPOINT=... ; firstboot up")
    .option("--port <port>", "API port on 127.0.0.1", { default: 8787 })
    .option("--ports <list>", "Guest TCP ports forwarded to each server's address and its Floating IPs", {
      default: "22,80,443",
    })
    .option("--memory <mib>", "Memory of each VM in MiB", { default: 2048 })
    .option("--cpus <n>", "vCPUs of each VM", { default: 2 })
    .option("--max-hours <n>", "Wall-clock limit of each VM (killed after it, even if this process died)", {
      default: 4,
    })
    .option("--request-log <file>", "Append one line per API request to this file")
    .action(async (action: string, f: Flags) => {
      if (action !== "start") throw new Exit(EXIT.badInput, msg.needStart(action));
      await start(f);
    });
}
