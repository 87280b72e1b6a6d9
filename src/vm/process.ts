// Stopping the processes we started (qemu, registry, SFTP server, agents), by PID only, and
// returning only when they are gone. A SIGKILLed qemu with gigabytes of guest memory and writes
// in flight can take many seconds to leave the process table: a caller that checks for leftovers
// right after a stop must not race the kernel (CI failed on exactly that).
import { readFileSync } from "node:fs";
import { preview } from "../catalogue.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True while the process exists and is not a zombie (a daemonized qemu may be left unreaped). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** The PID's command line (NULs as spaces), or undefined when there is no such process. */
export function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return undefined;
  }
}

/**
 * When the process started (clock ticks since boot, /proc/PID/stat field 22): with the PID it
 * names one process for good. A reused PID has another start time; a dying process keeps its own
 * (its command line reads empty once its memory is released, long before it has left).
 */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Still the process we started: alive, and (with a marker, such as its pidfile's path) its command
 * line holds the marker, so a PID the kernel reused for another program is never taken for ours.
 */
export function stillOurs(pid: number, marker?: string): boolean {
  if (!pidAlive(pid)) return false;
  if (marker === undefined) return true;
  return cmdlineOf(pid)?.includes(marker) ?? false;
}

/** The same process (PID and start time) has not left yet. */
function present(pid: number, started: string | undefined): boolean {
  return pidAlive(pid) && startTimeOf(pid) === started;
}

/** Waits up to timeoutMs for the process that started at `started` to be gone; true when it is. */
export async function waitGone(pid: number, timeoutMs: number, started = startTimeOf(pid)): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) if (!present(pid, started)) return true;
  return !present(pid, started);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export interface StopOptions {
  /** Part of the process's command line (its pidfile path): guards against PID reuse. */
  marker?: string;
  /** The polite first request: a signal, or a function (QMP quit) that asks the process to exit. */
  ask?: NodeJS.Signals | (() => Promise<unknown>);
  /** How long the polite request gets before SIGKILL. */
  graceMs?: number;
  /** How long the kernel gets to tear the process down after SIGKILL. */
  killWaitMs?: number;
}

/**
 * Ends one process: the polite request, SIGKILL after graceMs, then a wait for the exit. Returns
 * true only when the process is gone; false when it outlived killWaitMs (a D-state process).
 */
export async function stopPid(pid: number, o: StopOptions = {}): Promise<boolean> {
  const { marker, ask = "SIGTERM", graceMs = 10_000, killWaitMs = 60_000 } = o;
  // The marker decides whether the PID is ours; from then on the start time follows it.
  if (!stillOurs(pid, marker)) return true;
  const started = startTimeOf(pid);
  if (typeof ask === "function") await ask().catch(() => undefined);
  else signal(pid, ask);
  if (await waitGone(pid, graceMs, started)) return true;
  if (present(pid, started)) signal(pid, "SIGKILL");
  return waitGone(pid, killWaitMs, started);
}

/** One process to end, named for the report when it cannot be ended. */
export interface Owned extends StopOptions {
  pid: number;
  what: string;
}

/** Ends them all at once; throws naming every one still running afterwards. */
export async function stopAll(owned: readonly Owned[]): Promise<void> {
  const gone = await Promise.all(owned.map((p) => stopPid(p.pid, p)));
  const left = owned.filter((_, i) => !gone[i]);
  if (left.length) throw new Error(preview.stillRunning(left.map((p) => `${p.what} (PID ${p.pid})`)));
}
