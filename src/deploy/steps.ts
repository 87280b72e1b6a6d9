// The step engine behind build-image, up and replace: steps run in order; each registers the
// cleanup for what it created as soon as it exists; on failure or Ctrl-C (the AbortSignal) the
// registered cleanups run in reverse. A cleanup that fails is reported with what to delete by
// hand, never swallowed.
import { abortReason, type Clock } from "../clock.js";
import type { Progress } from "../progress.js";
import { hcloud } from "../catalogue.js";

export interface Cleanup {
  /** e.g. "delete server fb-build-123 (id 42)". */
  title: string;
  /** The command a user runs when the automatic cleanup failed. */
  byHand: string;
  run: () => Promise<void>;
}

export interface StepContext {
  signal: AbortSignal;
  /** Registers a cleanup; the returned function drops it (when a later step deletes the resource itself). */
  onCleanup(c: Cleanup): () => void;
  note(message: string): void;
}

export interface Step {
  title: string;
  run(ctx: StepContext): Promise<void>;
}

export type StepsResult =
  | { ok: true; elapsedMs: number }
  | { ok: false; elapsedMs: number; failedStep: string; error: Error; interrupted: boolean; leftovers: string[] };

export interface StepsOptions {
  signal?: AbortSignal;
  progress: Progress;
  clock: Clock;
  /** Called before cleanups run after a failure (e.g. to stop the API client honouring the abort). */
  beforeCleanups?: () => void;
  /** Cleanups that must run even on success (e.g. a temporary known_hosts dir); run last. */
  finally?: Cleanup[];
}

/**
 * Per run, keyed by its abort signal: the cleanups not yet done. A second Ctrl-C ends firstboot
 * at once, so it names these (what to delete by hand) instead of dropping them silently.
 */
const open = new WeakMap<AbortSignal, Cleanup[]>();

export function cleanupsLeft(signal: AbortSignal): Cleanup[] {
  return [...(open.get(signal) ?? [])];
}

export async function runSteps(steps: readonly Step[], opts: StepsOptions): Promise<StepsResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const { progress, clock } = opts;
  const cleanups: Cleanup[] = [];
  open.set(signal, cleanups);
  const start = clock.now();
  const ctx = stepContext(signal, progress, cleanups);
  for (const step of steps) {
    const t0 = clock.now();
    progress.emit({ type: "step", step: step.title, status: "start" });
    try {
      if (signal.aborted) throw abortReason(signal);
      await step.run(ctx);
      progress.emit({ type: "step", step: step.title, status: "ok", elapsedMs: clock.now() - t0 });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const interrupted = signal.aborted;
      progress.emit({
        type: "step",
        step: step.title,
        status: "failed",
        elapsedMs: clock.now() - t0,
        message: interrupted ? "interrupted" : error.message,
      });
      opts.beforeCleanups?.();
      const left = [...cleanups].reverse().concat(opts.finally ?? []);
      open.set(signal, left);
      const leftovers = await runCleanups(left, progress, left);
      const elapsedMs = clock.now() - start;
      return { ok: false, elapsedMs, failedStep: step.title, error, interrupted, leftovers };
    }
  }
  open.delete(signal);
  return afterLastStep(opts, start);
}

/** Only the `finally` cleanups are left to run; one that fails fails the run. */
async function afterLastStep(opts: StepsOptions, start: number): Promise<StepsResult> {
  const leftovers = await runCleanups(opts.finally ?? [], opts.progress);
  const elapsedMs = opts.clock.now() - start;
  if (leftovers.length)
    return {
      ok: false,
      elapsedMs,
      failedStep: "cleanup",
      error: new Error(hcloud.cleanupFailed()),
      interrupted: false,
      leftovers,
    };
  return { ok: true, elapsedMs };
}

/** The context every step gets; `cleanups` is the registry the failure path unwinds. */
function stepContext(signal: AbortSignal, progress: Progress, cleanups: Cleanup[]): StepContext {
  return {
    signal,
    onCleanup: (c) => {
      cleanups.push(c);
      return () => {
        const i = cleanups.indexOf(c);
        if (i >= 0) cleanups.splice(i, 1);
      };
    },
    note: (message) => progress.emit({ type: "note", message }),
  };
}

/**
 * Runs every cleanup (one failing does not stop the others); returns the by-hand instructions.
 * Each one that succeeds is taken off `left`.
 */
export async function runCleanups(
  list: readonly Cleanup[],
  progress: Progress,
  left: Cleanup[] = [],
): Promise<string[]> {
  const leftovers: string[] = [];
  for (const c of [...list]) {
    progress.emit({ type: "cleanup", step: c.title, status: "start" });
    try {
      await c.run();
      if (left.includes(c)) left.splice(left.indexOf(c), 1);
      progress.emit({ type: "cleanup", step: c.title, status: "ok" });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      progress.emit({
        type: "cleanup",
        step: c.title,
        status: "failed",
        message: `${message}; delete it by hand: ${c.byHand}`,
      });
      leftovers.push(`${c.title}: ${c.byHand}`);
    }
  }
  return leftovers;
}
