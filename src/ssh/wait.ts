// Waiting for a server or VM to answer SSH after its boot: one loop for both, with the callers'
// differences (VM liveness, pause, what the timeout says) passed in.
import { throwIfAborted, type Clock } from "../clock.js";
import type { Remote } from "./remote.js";
import { hcloud } from "../catalogue.js";

export interface SshWait {
  clock: Clock;
  signal?: AbortSignal;
  /** Default 10 minutes. */
  timeoutMs?: number;
  /** Runs before every try; throws to stop waiting (a preview VM whose qemu died never answers). */
  alive?: () => Promise<void>;
  /** The pause after failed try number `attempt`; default 2 s growing to 10 s. */
  pauseMs?: (attempt: number) => number;
  /** The error when time runs out; `last` is ssh's last complaint. */
  timeoutError?: (last: string) => Error;
}

const MAX_MISMATCHES = 4;
const backoff = (attempt: number): number => Math.min(10_000, 2000 * 1.5 ** attempt);

/** Retries a trivial command until the server accepts our key (and shows a pinned host key); resolves to the ms waited. */
export async function waitForSsh(remote: Remote, w: SshWait): Promise<number> {
  const { clock, signal, timeoutMs = 10 * 60_000 } = w;
  const t0 = clock.now();
  let last = "";
  let mismatches = 0;
  for (let i = 0; clock.now() - t0 < timeoutMs; i++) {
    throwIfAborted(signal);
    await w.alive?.();
    const r = await remote.exec("true", { timeoutMs: 20_000 });
    if (r.exitCode === 0) return clock.now() - t0;
    last = r.stderr.trim();
    // ssh never logs in with a wrong key; a few retries cover an sshd that started before
    // cloud-init installed our key, more mean someone else answers.
    mismatches = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(last) ? mismatches + 1 : 0;
    if (mismatches >= MAX_MISMATCHES) throw new Error(hcloud.hostKeyChanged(last));
    await clock.sleep((w.pauseMs ?? backoff)(i), signal);
  }
  throw w.timeoutError?.(last) ?? new Error(hcloud.sshTimeout(timeoutMs / 60_000, last));
}
