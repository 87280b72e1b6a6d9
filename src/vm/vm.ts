// One preview VM: a qcow2 overlay over a base (or golden) disk, a NoCloud seed, qemu daemonized
// with a pidfile. Every VM is killed by its PID: on stop(), at its wall-clock deadline, and when
// this process exits or is interrupted. Never by name: other VMs on the machine are not ours.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { run } from "../exec.js";
import { pidAlive, stopPid } from "./process.js";
import { qmp } from "./qmp.js";
import { vmPaths, type VmPaths } from "./cache.js";
import { overlayArgv, qemuArgv, type Accel, type PortForward } from "./qemu-argv.js";
import { hostnameFor, maybeB64Decode, metaData, seedArgv } from "./seed.js";
import { preview } from "../catalogue.js";

export interface VmSpec {
  /** Directory name under <cache>/vms. */
  name: string;
  root: string;
  /** Backing disk (base image or golden disk); never written. */
  backing: string;
  kernel?: string;
  initrd?: string;
  userData: string;
  hostname: string;
  /** Guest ports to forward besides SSH. */
  guestPorts: { proto: "tcp" | "udp"; port: number }[];
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** Wall-clock limit after which the VM is killed whatever happens. */
  deadlineMs: number;
}

export interface Vm {
  spec: VmSpec;
  pid: number;
  paths: VmPaths;
  sshPort: number;
  forwards: PortForward[];
  alive(): boolean;
  /** Returns once qemu has exited (QMP quit, SIGKILL after 10 s); throws naming the PID if it outlives that. */
  stop(): Promise<void>;
}

const running = new Set<number>();

function killNow(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  running.delete(pid);
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => [...running].forEach(killNow));
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      [...running].forEach(killNow);
      process.exit(130);
    });
  }
}

export { pidAlive } from "./process.js";

/** A free TCP port on 127.0.0.1 (UDP forwards reuse the number: collisions are unlikely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function forwardsFor(spec: VmSpec): Promise<{ ssh: number; forwards: PortForward[] }> {
  const ssh = await freePort();
  const forwards: PortForward[] = [{ proto: "tcp", host: ssh, guest: 22 }];
  for (const g of spec.guestPorts) forwards.push({ proto: g.proto, host: await freePort(), guest: g.port });
  return { ssh, forwards };
}

async function prepareDisk(spec: VmSpec, p: VmPaths): Promise<void> {
  await rm(p.dir, { recursive: true, force: true });
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  await run(overlayArgv(spec.backing, p.disk));
  await writeFile(p.userData, maybeB64Decode(spec.userData), { mode: 0o600 });
  const instance = `firstboot-${hostnameFor(spec.hostname)}-${randomBytes(4).toString("hex")}`;
  await writeFile(p.metaData, metaData(instance, hostnameFor(spec.hostname)));
  await run(seedArgv(p.seed, p.userData, p.metaData));
  // The seed holds the same secrets as the user-data: keep only the seed, mode 0600.
  await rm(p.userData);
  await run(["chmod", "0600", p.seed]);
}

/**
 * A detached watchdog that kills the VM at its deadline even when this process is gone (a test
 * runner killed mid-run must not leave an emulated VM eating the machine). It checks that the
 * PID is still this VM's qemu (its pidfile path is on the command line) before killing.
 */
export function watchdogArgv(pid: number, p: VmPaths, seconds: number): string[] {
  const script = `sleep ${seconds}; grep -qF '${p.pidfile}' /proc/${pid}/cmdline 2>/dev/null && kill -9 ${pid}; exit 0`;
  return [
    "start-stop-daemon",
    "--start",
    "--background",
    "--make-pidfile",
    "--pidfile",
    p.watchdogPidfile,
    "--startas",
    "/bin/sh",
    "--",
    "-c",
    script,
  ];
}

function stopWatchdog(p: VmPaths): void {
  try {
    const pid = Number(readFileSync(p.watchdogPidfile, "utf8").trim());
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(p.pidfile)) process.kill(pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

async function launchQemu(spec: VmSpec, p: VmPaths, forwards: PortForward[]): Promise<number> {
  const argv = qemuArgv({
    accel: spec.accel,
    memoryMiB: spec.memoryMiB,
    cpus: spec.cpus,
    disk: p.disk,
    seed: p.seed,
    kernel: spec.kernel,
    initrd: spec.initrd,
    serialLog: p.serialLog,
    qmp: p.qmp,
    pidfile: p.pidfile,
    forwards,
  });
  await run(argv, { timeoutMs: 60_000 });
  const pid = Number((await readFile(p.pidfile, "utf8")).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(preview.noPid(p.pidfile));
  return pid;
}

/** Two guards, so that the deadline holds even if this process dies before the VM. */
async function guardDeadline(pid: number, p: VmPaths, deadlineMs: number): Promise<NodeJS.Timeout> {
  running.add(pid);
  const timer = setTimeout(() => killNow(pid), deadlineMs);
  timer.unref();
  await run(watchdogArgv(pid, p, Math.ceil(deadlineMs / 1000) + 60));
  return timer;
}

async function stopVm(pid: number, p: VmPaths, timer: NodeJS.Timeout): Promise<void> {
  clearTimeout(timer);
  const gone = await stopPid(pid, {
    marker: p.pidfile,
    ask: () => qmp(p.qmp, "quit"),
    graceMs: 10_000,
    killWaitMs: 60_000,
  });
  stopWatchdog(p);
  if (!gone) throw new Error(preview.stillRunning([`qemu (PID ${pid}, ${p.dir})`]));
  running.delete(pid);
}

export async function startVm(spec: VmSpec): Promise<Vm> {
  hookExit();
  const p = vmPaths(spec.root, spec.name);
  await prepareDisk(spec, p);
  const { ssh, forwards } = await forwardsFor(spec);
  const pid = await launchQemu(spec, p, forwards);
  const timer = await guardDeadline(pid, p, spec.deadlineMs);
  return {
    spec,
    pid,
    paths: p,
    sshPort: ssh,
    forwards,
    alive: () => pidAlive(pid),
    stop: () => stopVm(pid, p, timer),
  };
}

/** Wait for qemu to exit by itself (guest poweroff), killing it at the timeout. */
export async function waitExit(vm: Vm, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!vm.alive()) {
      running.delete(vm.pid);
      return true;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await vm.stop();
  return false;
}

export async function serialLog(vm: Vm): Promise<string> {
  return existsSync(vm.paths.serialLog) ? readFile(vm.paths.serialLog, "utf8") : "";
}
