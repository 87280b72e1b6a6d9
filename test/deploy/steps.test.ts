import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/clock.js";
import { runSteps, type Step } from "../../src/deploy/steps.js";
import { createProgress, formatLine, type ProgressEvent } from "../../src/progress.js";

function capture(): { events: ProgressEvent[]; progress: { emit: (e: ProgressEvent) => void; close: () => void } } {
  const events: ProgressEvent[] = [];
  return { events, progress: { emit: (e) => events.push(e), close: () => undefined } };
}

describe("step engine", () => {
  it("runs cleanups in reverse on failure and names what to delete by hand when one fails", async () => {
    const order: string[] = [];
    const { events, progress } = capture();
    const steps: Step[] = [
      {
        title: "a",
        run: async (c) =>
          void c.onCleanup({ title: "undo a", byHand: "rm a", run: async () => void order.push("undo a") }),
      },
      {
        title: "b",
        run: async (c) =>
          void c.onCleanup({
            title: "undo b",
            byHand: "hcloud server delete 7",
            run: async () => {
              order.push("undo b");
              throw new Error("api down");
            },
          }),
      },
      {
        title: "c",
        run: async () => {
          throw new Error("c broke");
        },
      },
      { title: "d", run: async () => void order.push("d ran") },
    ];
    const res = await runSteps(steps, { progress, clock: new VirtualClock() });
    expect(order).toEqual(["undo b", "undo a"]);
    expect(res).toMatchObject({
      ok: false,
      failedStep: "c",
      interrupted: false,
      leftovers: ["undo b: hcloud server delete 7"],
    });
    expect(events.map(formatLine).filter(Boolean)).toEqual([
      "✓ a (0.0s)",
      "✓ b (0.0s)",
      "✗ c (0.0s): c broke",
      "  ✗ cleanup: undo b: api down; delete it by hand: hcloud server delete 7",
      "  ↺ cleanup: undo a",
    ]);
  });

  it("a dismissed cleanup does not run; an abort stops before the next step", async () => {
    const abort = new AbortController();
    const ran: string[] = [];
    const steps: Step[] = [
      {
        title: "a",
        run: async (c) => c.onCleanup({ title: "undo a", byHand: "", run: async () => void ran.push("undo a") })(),
      },
      {
        title: "b",
        run: async (c) => void c.onCleanup({ title: "undo b", byHand: "", run: async () => void ran.push("undo b") }),
      },
      { title: "c", run: async () => abort.abort() },
      { title: "d", run: async () => void ran.push("d") },
    ];
    const res = await runSteps(steps, {
      progress: capture().progress,
      clock: new VirtualClock(),
      signal: abort.signal,
    });
    expect(ran).toEqual(["undo b"]);
    expect(res).toMatchObject({ ok: false, failedStep: "d", interrupted: true });
  });

  it("progress on a terminal redraws the running step's line, then ends it", () => {
    const out: string[] = [];
    let now = 0;
    const live = createProgress({ isTTY: true, write: (t) => out.push(t), now: () => now });
    live.emit({ type: "step", step: "wait for cloud-init", status: "start" });
    now = 4200;
    live.emit({ type: "step", step: "wait for cloud-init", status: "ok", elapsedMs: 4200 });
    live.close();
    expect(out).toEqual(["\r\x1b[2K… wait for cloud-init 0.0s", "\r\x1b[2K✓ wait for cloud-init (4.2s)\n"]);
  });

  it("progress: plain lines, JSON events", () => {
    const out: string[] = [];
    const plain = createProgress({ isTTY: false, write: (t) => out.push(t) });
    plain.emit({ type: "step", step: "create server", status: "start" });
    plain.emit({ type: "step", step: "create server", status: "ok", elapsedMs: 12_345 });
    plain.emit({ type: "done", ok: true, elapsedMs: 95_000 });
    expect(out.join("")).toBe("✓ create server (12s)\ndone after 1m35s\n");
    const json: string[] = [];
    const j = createProgress({ json: true, write: (t) => json.push(t), now: () => 0 });
    j.emit({ type: "step", step: "x", status: "ok", elapsedMs: 5 });
    expect(JSON.parse(json[0]!)).toEqual({
      type: "step",
      step: "x",
      status: "ok",
      elapsedMs: 5,
      time: "1970-01-01T00:00:00.000Z",
    });
  });
});
