// One local-cloud server's qemu: started daemonized from its (persistent) disk, stopped by PID,
// pressed (ACPI) and reset over QMP. Every qemu started here is killed by its PID when it is
// deleted, when the fake closes, when this process exits, and by a detached watchdog at its
// deadline even if this process dies. Never by name: other VMs on the machine are not ours.
import { readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { run } from "../exec.js";
import type { VmPaths } from "../vm/cache.js";
import type { Accel } from "../vm/qemu-argv.js";
import { pidAlive, stopPid } from "../vm/process.js";
import { watchdogArgv } from "../vm/vm.js";
import { qmp, type QmpCommand } from "../vm/qmp.js";
import { localQemuArgv } from "./vm-argv.js";
import { localCloud, preview } from "../catalogue.js";

export interface MachineSpec {
  name: string;
  paths: VmPaths;
  kernel?: string;
  initrd?: string;
  address: string;
  ports: readonly number[];
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  deadlineMs: number;
}

const live = new Set<number>();
let hooked = false;

function killPid(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  live.delete(pid);
}

/** Kills every qemu this process started and has not stopped yet (exit hooks, close). */
export function killAll(): void {
  [...live].forEach(killPid);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
}

export class Machine {
  pid?: number;

  constructor(readonly spec: MachineSpec) {}

  running(): boolean {
    return this.pid !== undefined && pidAlive(this.pid);
  }

  async start(): Promise<void> {
    if (this.running()) return;
    hookExit();
    const { paths: p } = this.spec;
    await rm(p.pidfile, { force: true });
    const argv = localQemuArgv({
      name: `firstboot-local-${this.spec.name}`,
      accel: this.spec.accel,
      memoryMiB: this.spec.memoryMiB,
      cpus: this.spec.cpus,
      disk: p.disk,
      seed: p.seed,
      kernel: this.spec.kernel,
      initrd: this.spec.initrd,
      serialLog: p.serialLog,
      qmp: p.qmp,
      pidfile: p.pidfile,
      address: this.spec.address,
      ports: this.spec.ports,
    });
    await run(argv, { timeoutMs: 60_000 });
    const pid = Number((await readFile(p.pidfile, "utf8")).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(preview.noPid(p.pidfile));
    this.pid = pid;
    live.add(pid);
    this.stopWatchdog();
    await run(watchdogArgv(pid, p, Math.ceil(this.spec.deadlineMs / 1000)));
  }

  /** Sends one QMP command; false when qemu does not answer on its socket. */
  qmp(command: QmpCommand): Promise<boolean> {
    return qmp(this.spec.paths.qmp, command);
  }

  /**
   * Ends qemu and returns once its process is gone: "quit" over QMP first (caches flushed) or
   * SIGKILL at once, SIGKILL after 10 s, then a wait for the exit. False when it outlived all that
   * (it stays tracked, so the exit hooks still kill it).
   */
  async stop(how: "quit" | "kill"): Promise<boolean> {
    const pid = this.pid;
    if (pid === undefined) return true;
    const ask = how === "quit" ? () => this.qmp("quit") : ("SIGKILL" as const);
    const gone = await stopPid(pid, { marker: this.spec.paths.pidfile, ask, graceMs: 10_000, killWaitMs: 60_000 });
    if (gone) this.forget();
    return gone;
  }

  /** Pulls the plug: qemu quits (its caches flushed), killed if it does not within 10 s. */
  async powerOff(): Promise<void> {
    if (!(await this.stop("quit"))) throw new Error(localCloud.qemuStuck(this.spec.name, this.pid));
  }

  /** The process is gone: stop tracking it and its watchdog. */
  forget(): void {
    if (this.pid !== undefined) live.delete(this.pid);
    this.pid = undefined;
    this.stopWatchdog();
  }

  private stopWatchdog(): void {
    const p = this.spec.paths;
    try {
      const pid = Number(readFileSync(p.watchdogPidfile, "utf8").trim());
      if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(p.pidfile)) process.kill(pid, "SIGKILL");
    } catch {
      /* none running */
    }
  }
}
