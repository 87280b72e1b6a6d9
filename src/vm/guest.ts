// Talking to a booted preview VM over SSH: wait for it, run commands, follow cloud-init.
import { run, type RunResult } from "../exec.js";
import { guestCrashed } from "./qemu-argv.js";
import { sshArgv, type SshTarget } from "./ssh.js";
import { serialLog, type Vm } from "./vm.js";

export class VmDied extends Error {
  constructor(readonly why: string) {
    super(`the VM died: ${why}`);
  }
}

export function targetOf(vm: Vm, user: string, key: string): SshTarget {
  return { user, port: vm.sshPort, key };
}

export async function ssh(t: SshTarget, command: string, timeoutMs = 120_000): Promise<RunResult> {
  return run(sshArgv(t, command), { allowFailure: true, timeoutMs });
}

/** Throws VmDied when qemu is gone or the guest kernel crashed (the harness retries those). */
export async function checkAlive(vm: Vm): Promise<void> {
  if (!vm.alive()) throw new VmDied(`qemu (PID ${vm.pid}) exited; serial log: ${vm.paths.serialLog}`);
  const crash = guestCrashed(await serialLog(vm));
  if (crash) throw new VmDied(`guest kernel: ${crash}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForSsh(vm: Vm, t: SshTarget, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    await checkAlive(vm);
    const r = await run(sshArgv(t, "true", 5), { allowFailure: true, timeoutMs: 20_000 });
    if (r.exitCode === 0) return Date.now() - t0;
    await sleep(3000);
  }
  throw new Error(`no SSH on 127.0.0.1:${t.port} after ${Math.round(timeoutMs / 1000)} s; serial log: ${vm.paths.serialLog}`);
}

export interface CloudInitStatus {
  status: string;
  errors: string[];
  raw: string;
}

export function parseCloudInitStatus(json: string): CloudInitStatus {
  try {
    const j = JSON.parse(json) as { status?: string; errors?: string[] };
    return { status: j.status ?? "unknown", errors: j.errors ?? [], raw: json };
  } catch {
    return { status: "unknown", errors: [], raw: json };
  }
}

const DONE_OR_RUNNING =
  'if [ -e /run/cloud-init/result.json ]; then cloud-init status --format json 2>/dev/null || true; else echo \'{"status": "running"}\'; fi';

export type Poll = (status: CloudInitStatus, t: SshTarget) => Promise<void> | void;

/** Poll cloud-init until it is done or in error, calling onPoll each time for progress output. */
export async function waitCloudInit(vm: Vm, t: SshTarget, timeoutMs: number, onPoll?: Poll): Promise<CloudInitStatus> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    await checkAlive(vm);
    // `cloud-init status` is a Python start-up (seconds under emulation): only ask once
    // result.json says the final stage is over.
    const r = await ssh(t, DONE_OR_RUNNING, 60_000);
    const s = parseCloudInitStatus(r.stdout);
    if (onPoll) await onPoll(s, t);
    if (s.status === "done" || s.status === "error" || s.status === "degraded done") return s;
    await sleep(10_000);
  }
  throw new Error(`cloud-init not done after ${Math.round(timeoutMs / 1000)} s; serial log: ${vm.paths.serialLog}`);
}
