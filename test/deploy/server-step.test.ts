// bootServerStep alone against the fake API: the server runs when the step ends, and whatever
// fails later (or in its own start) deletes it, or names the command to delete it by hand.
import { describe, expect, it } from "vitest";
import type * as r from "../../src/hcloud/resources.js";
import { bootServerStep } from "../../src/deploy/server-step.js";
import { runSteps, type Step } from "../../src/deploy/steps.js";
import { testEnv, type TestEnv } from "./env.js";

const body: r.CreateServer = {
  name: "web-run1",
  server_type: "cx23",
  image: "debian-12",
  location: "nbg1",
  start_after_create: true,
};

async function boot(t: TestEnv, after: Step[] = []) {
  const out: { server?: r.Server; drops: (() => void)[] } = { drops: [] };
  const step = bootServerStep(t.env.hc, {
    title: "create server web-run1",
    request: async () => body,
    booted: (s) => void (out.server = s),
    registered: (d) => void out.drops.push(d),
  });
  const res = await runSteps([step, ...after], { progress: t.env.progress, clock: t.env.hc.clock });
  return { res, out };
}

describe("bootServerStep", () => {
  it("gives back the running server and deletes it when a later step fails", async () => {
    const t = testEnv();
    const { res, out } = await boot(t, [
      {
        title: "break",
        run: async () => {
          throw new Error("later");
        },
      },
    ]);
    expect(out.server).toMatchObject({ name: "web-run1", status: "running" });
    expect(out.drops).toHaveLength(1);
    expect(res).toMatchObject({ ok: false, failedStep: "break", leftovers: [] });
    expect(t.state.servers.size).toBe(0);
  });

  it("keeps the server once the workflow drops the cleanup", async () => {
    const t = testEnv();
    const out: (() => void)[] = [];
    const step = bootServerStep(t.env.hc, {
      title: "create",
      request: async () => body,
      booted: () => undefined,
      registered: (d) => void out.push(d),
    });
    const res = await runSteps(
      [
        step,
        { title: "commit", run: async () => out.forEach((d) => d()) },
        {
          title: "break",
          run: async () => {
            throw new Error("later");
          },
        },
      ],
      { progress: t.env.progress, clock: t.env.hc.clock },
    );
    expect(res.ok).toBe(false);
    expect(t.state.servers.size).toBe(1);
  });

  it("deletes a server whose start failed, and names the command when the delete fails too", async () => {
    const t = testEnv();
    t.state.faults.push(
      { on: "action:start_server", code: "action_failed" },
      { on: "DELETE /servers/{id}", status: 500, times: Infinity },
    );
    const { res } = await boot(t);
    const id = [...t.state.servers.values()][0]!.id;
    expect(res).toMatchObject({
      ok: false,
      failedStep: "create server web-run1",
      leftovers: [`delete server web-run1 (id ${id}): hcloud server delete ${id}`],
    });
  });
});
