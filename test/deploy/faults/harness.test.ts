// The harness itself: the data model carries writes the way the workflows move data, and each
// invariant catches a world that breaks it (a checker that cannot fail would prove nothing).
import { describe, expect, it } from "vitest";
import * as r from "../../../src/hcloud/resources.js";
import { check, excused } from "./invariants.js";
import { runScenario, type Scenario } from "./matrix.js";
import { newRun } from "./world.js";
import { WORKFLOWS, type Case } from "./workflows.js";

const wf = (name: string) => WORKFLOWS.find((w) => w.name === name)!;

async function cleanRun(name: string): Promise<Case> {
  const c = await wf(name).setup();
  expect((await wf(name).run(newRun(c.world, wf(name).runId).env, c)).ok).toBe(true);
  return c;
}

const fipServer = (c: Case) => c.world.state.floatingIps.get(c.world.ssh.clientFip!)!.server!;

describe("the data model", () => {
  it("a replace carries every acknowledged write to the new server; the freeze refuses writes", async () => {
    const c = await cleanRun("replace");
    const { ssh } = c.world;
    const neu = fipServer(c);
    const by = new Set(ssh.acked.map((a) => a.server));
    expect(by.size).toBe(2);
    expect(ssh.data.get(neu)).toEqual(expect.arrayContaining(ssh.acked.map((a) => a.id)));
    const numbers = ssh.acked.map((a) => Number(a.id.slice(1)));
    // Gaps: writes made while no stack served through the IP (the freeze) were refused, not acknowledged.
    expect(numbers.some((n, i) => i > 0 && n - numbers[i - 1]! > 1)).toBe(true);
    expect(check(c, false)).toEqual([]);
  });

  it("a rollback drops what the rolled-away server took, and keeps what the final server took", async () => {
    const c = await cleanRun("rollback");
    const { ssh } = c.world;
    const final = fipServer(c);
    expect(ssh.acked.some((a) => a.server === c.droppedBy)).toBe(true);
    expect(check(c, false)).toEqual([]);
    const own = ssh.acked.filter((a) => a.server === final).pop()!;
    ssh.data.set(
      final,
      ssh.data.get(final)!.filter((id) => id !== own.id),
    );
    expect(check(c, false).map((v) => v.text)).toEqual([expect.stringContaining(`misses 1 of`)]);
  });
});

describe("each invariant catches a world that breaks it", () => {
  it("(a) a lost write, a stopped stack, an IP on a standby", async () => {
    const c = await cleanRun("replace");
    const { ssh, state } = c.world;
    const live = fipServer(c);
    ssh.data.set(live, ssh.data.get(live)!.slice(1));
    ssh.stack.set(live, "stopped");
    state.servers.get(live)!.labels[r.LABEL.role] = "standby";
    const [v] = check(c, false);
    expect(v?.text).toMatch(/-> selfmx-rep1 \(id \d+\): labelled role=standby; its stack is stopped; misses 1 of/);
    expect(check(c, true)).toEqual([]);
  });

  it("(b) two live servers, (c) an unlabelled server and key; (d) excuses only what the run named", async () => {
    const c = await cleanRun("replace");
    const { state } = c.world;
    const old = [...state.servers.values()].find((s) => s.id !== fipServer(c))!;
    old.labels[r.LABEL.role] = "live";
    const { hc } = newRun(c.world, "x").env;
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9aGVHhk7h3m0bGZr4Xo6pZ0WmI2N0k3dTq0cUu5v1A x";
    await hc.call("k", hc.api.POST("/ssh_keys", { body: { name: "k", public_key: key } }));
    const body = { name: "stray", server_type: c.spec.serverType, image: c.spec.baseImage, start_after_create: true };
    await hc.call("s", hc.api.POST("/servers", { body: { ...body, location: c.spec.location } }));
    const found = check(c, false);
    expect(found.map((v) => v.text)).toEqual([
      expect.stringMatching(/^2 servers labelled live: selfmx-up1/),
      expect.stringMatching(/^server stray \(id \d+\) is neither temporary nor a stack server/),
      expect.stringMatching(/^ssh key k \(id \d+\) is not labelled temporary/),
    ]);
    const stray = found[1]!;
    expect(excused(stray, [`delete server stray (id ${stray.ids[0]}): hcloud server delete ${stray.ids[0]}`])).toBe(
      true,
    );
    expect(excused(stray, [`delete server other (id 1): hcloud server delete 1`])).toBe(false);
    expect(excused(stray, [])).toBe(false);
  });
});

describe("a SIGKILL", () => {
  it.each([
    ["request", 0],
    ["command", 0],
  ] as const)("at the plan's first %s abandons the run where it stood; the recovery still runs", async (on, index) => {
    const s: Scenario = { workflow: wf("replace"), fault: { on, index, kind: "sigkill" }, key: "k", title: "t" };
    const res = await runScenario(s);
    expect([res.killed, res.outcome, res.violations]).toEqual([true, undefined, []]);
  });
});
