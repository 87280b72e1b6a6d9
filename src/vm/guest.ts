// Talking to a booted preview VM over SSH: wait for it, run commands, follow cloud-init.
import { realClock } from "../clock.js";
import type { RunResult } from "../exec.js";
import { systemSsh, waitForSsh, type SshTarget } from "../ssh/index.js";
import { guestCrashed } from "./qemu-argv.js";
import { serialLog, type Vm } from "./vm.js";
import { preview } from "../catalogue.js";

export class VmDied extends Error {
  constructor(readonly why: string) {
    super(preview.vmDied(why));
  }
}

export async function ssh(t: SshTarget, command: string, timeoutMs = 120_000): Promise<RunResult> {
  return systemSsh.connect(t).exec(command, { timeoutMs });
}

/** Throws VmDied when qemu is gone or the guest kernel crashed (the harness retries those). */
export async function checkAlive(vm: Vm): Promise<void> {
  if (!vm.alive()) throw new VmDied(`qemu (PID ${vm.pid}) exited; serial log: ${vm.paths.serialLog}`);
  const crash = guestCrashed(await serialLog(vm));
  if (crash) throw new VmDied(`guest kernel: ${crash}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds until the VM answers SSH; a short connect timeout and a steady pause suit a local port. */
export async function waitForGuestSsh(vm: Vm, t: SshTarget, timeoutMs: number): Promise<number> {
  return waitForSsh(systemSsh.connect({ ...t, connectTimeout: 5 }), {
    clock: realClock,
    timeoutMs,
    alive: () => checkAlive(vm),
    pauseMs: () => 3000,
    timeoutError: () => new Error(preview.noSsh(t.host, t.port, Math.round(timeoutMs / 1000), vm.paths.serialLog)),
  });
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

/** Called with the serial console output of this boot so far (progress streaming). */
export type OnSerial = (text: string) => Promise<void> | void;

/**
 * cloud-init's final message on the console: the last thing its final stage does. Our user-data
 * sets its own final_message, which replaces cloud-init's "finished at" line; missing it cost up
 * to a minute per boot (the once-a-minute SSH fallback).
 */
export function cloudInitFinished(serial: string): boolean {
  return /Cloud-init v\. \S+ finished at |firstboot: \S+ first boot finished after /.test(serial);
}

/**
 * Wait for cloud-init to finish. Progress comes from the serial console (free for the guest);
 * SSH is asked only when the console says cloud-init finished, or once a minute as a fallback,
 * because every SSH round trip costs the emulated guest CPU that its first boot needs.
 */
export async function waitCloudInit(
  vm: Vm,
  t: SshTarget,
  timeoutMs: number,
  onSerial?: OnSerial,
  fromOffset = 0,
): Promise<CloudInitStatus> {
  const t0 = Date.now();
  let lastSsh = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    await checkAlive(vm);
    const text = (await serialLog(vm)).slice(fromOffset);
    if (onSerial) await onSerial(text);
    if (cloudInitFinished(text) || Date.now() - lastSsh > 60_000) {
      lastSsh = Date.now();
      const s = parseCloudInitStatus((await ssh(t, DONE_OR_RUNNING, 60_000)).stdout);
      if (s.status === "done" || s.status === "error" || s.status === "degraded done") return s;
    }
    await sleep(3000);
  }
  throw new Error(preview.cloudInitTimeout(Math.round(timeoutMs / 1000), vm.paths.serialLog));
}
