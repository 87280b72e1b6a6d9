// Progress for long commands: one line per step with its elapsed time. On a terminal the
// running step's line is redrawn every second; otherwise plain lines are printed when a step
// ends; with --json every event is one JSON object per line (for scripts and CI logs).

export type ProgressEvent =
  | { type: "step"; step: string; status: "start" | "ok" | "failed" | "skipped"; elapsedMs?: number; message?: string }
  | { type: "cleanup"; step: string; status: "start" | "ok" | "failed"; elapsedMs?: number; message?: string }
  | { type: "note" | "warning"; message: string }
  | { type: "done"; ok: boolean; elapsedMs: number; message?: string };

export interface Progress {
  emit(event: ProgressEvent): void;
  /** Stops the live redraw timer. */
  close(): void;
}

export interface ProgressOptions {
  json?: boolean;
  write?: (text: string) => void;
  isTTY?: boolean;
  now?: () => number;
}

export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

const MARK = { ok: "✓", failed: "✗", skipped: "-", start: "…" } as const;

/** The plain-text line for an event, or undefined when the event prints nothing in plain mode. */
export function formatLine(e: ProgressEvent): string | undefined {
  switch (e.type) {
    case "step":
      if (e.status === "start") return undefined;
      return `${MARK[e.status]} ${e.step}${e.elapsedMs !== undefined ? ` (${formatElapsed(e.elapsedMs)})` : ""}${e.message ? `: ${e.message}` : ""}`;
    case "cleanup":
      if (e.status === "start") return undefined;
      return `  ${e.status === "ok" ? "↺" : "✗"} cleanup: ${e.step}${e.message ? `: ${e.message}` : ""}`;
    case "note":
      return `  ${e.message}`;
    case "warning":
      return `! ${e.message}`;
    case "done":
      return `${e.ok ? "done" : "failed"} after ${formatElapsed(e.elapsedMs)}${e.message ? `: ${e.message}` : ""}`;
  }
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const write = opts.write ?? ((t: string) => void process.stderr.write(t));
  const now = opts.now ?? Date.now;
  if (opts.json) {
    const out = opts.write ?? ((t: string) => void process.stdout.write(t));
    return {
      emit: (e) => out(JSON.stringify({ ...e, time: new Date(now()).toISOString() }) + "\n"),
      close: () => undefined,
    };
  }
  if (!opts.isTTY)
    return {
      emit: (e) => {
        const l = formatLine(e);
        if (l) write(l + "\n");
      },
      close: () => undefined,
    };
  return liveProgress(write, now);
}

function liveProgress(write: (t: string) => void, now: () => number): Progress {
  let live: { step: string; since: number } | undefined;
  const draw = (): void => {
    if (live) write(`\r\x1b[2K… ${live.step} ${formatElapsed(now() - live.since)}`);
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return {
    emit(e) {
      if (e.type === "step" && e.status === "start") {
        live = { step: e.step, since: now() };
        return draw();
      }
      const line = formatLine(e);
      if (!line) return;
      write(`${live ? "\r\x1b[2K" : ""}${line}\n`);
      if (e.type === "step" || e.type === "done") live = undefined;
      else draw();
    },
    close: () => clearInterval(timer),
  };
}
