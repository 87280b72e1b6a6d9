// Time is injected so retries, action polls and SSH waits are deterministic in tests: the
// virtual clock makes every sleep return at once and advances a shared "now" that the fake
// Hetzner API also reads, so an action that "takes 40 s" costs no real time.
import { hcloud } from "./catalogue.js";

export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1); used for jitter. */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export class VirtualClock implements Clock {
  private t: number;
  private seed: number;
  constructor(start = Date.parse("2026-01-01T00:00:00Z"), seed = 42) {
    this.t = start;
    this.seed = seed;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.advance(ms);
    await Promise.resolve();
    if (signal?.aborted) throw abortReason(signal);
  }
  /** A small deterministic LCG so jitter is reproducible. */
  random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }
}

export class AbortedError extends Error {
  constructor() {
    super(hcloud.aborted());
    this.name = "AbortError";
  }
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name === "AbortError" ? signal.reason : new AbortedError();
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortReason(signal);
}
