// The recovery plan as data: every state a crash can leave (labels on the servers, where the
// Floating IP points) and what finishes or undoes it.
import { describe, expect, it } from "vitest";
import { describe as say, recoveryPlan, type StackView } from "../../src/deploy/recover.js";
import type * as r from "../../src/hcloud/resources.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
let next = 1;
function srv(name: string, labels: Record<string, string>, status = "running"): r.Server {
  return {
    id: next++,
    name,
    status,
    labels: { "firstboot/stack": "app", ...labels },
    created: "2026-06-01T11:00:00Z",
    public_net: { ipv4: { ip: `192.0.2.${next}` } },
  } as unknown as r.Server;
}
const fip = (server: number | null): r.FloatingIp => ({ id: 9, name: "app-ip", server }) as unknown as r.FloatingIp;
const plan = (servers: r.Server[], fipOn: number | null) =>
  recoveryPlan({ stack: "app", servers, fip: fip(fipOn), nowMs: NOW } satisfies StackView);
const lines = (p: ReturnType<typeof plan>) => p.actions.map(say);

describe("recoveryPlan", () => {
  it("a settled stack needs nothing", () => {
    const live = srv("app-a", { "firstboot/role": "live" });
    const p = plan([live, srv("app-0", { "firstboot/role": "standby" }, "off")], live.id);
    expect(p.actions).toEqual([]);
    expect(p.state).toEqual(["live on app-a, Floating IP app-ip points at it; nothing to recover"]);
  });

  it("killed after the commit: rolls forward to the server that supersedes the other", () => {
    const old = srv("app-a", { "firstboot/role": "frozen", "firstboot/frozen": "r2" });
    const neu = srv("app-b", {
      "firstboot/role": "live",
      "firstboot/supersedes": String(old.id),
      "firstboot/standby-until": "1780000000",
      "firstboot/run": "r2",
    });
    const p = plan([old, neu], old.id);
    expect(lines(p)).toEqual([
      "start the stack on app-b",
      "move Floating IP app-ip to app-b",
      "label app-a standby",
      "label app-b live",
      "power off app-a",
      "make app-b's backups the live generation",
    ]);
    const demote = p.actions.find((a) => a.kind === "label" && a.server === old);
    expect(demote).toMatchObject({ labels: { "firstboot/standby-until": "1780000000", "firstboot/role": "standby" } });
  });

  it("killed in the freeze before the commit: restarts the old stack, then deletes the candidate", () => {
    const old = srv("app-a", { "firstboot/role": "frozen", "firstboot/frozen": "r2" });
    const cand = srv("app-b", { "firstboot/role": "candidate", "firstboot/temporary": "true", "firstboot/run": "r2" });
    const p = plan([old, cand], old.id);
    expect(lines(p)).toEqual([
      "start the stack on app-a",
      "label app-a live again",
      `delete server app-b (id ${cand.id}): candidate of run r2, never committed`,
    ]);
    expect(p.actions[1]).toMatchObject({ labels: { "firstboot/stack": "app", "firstboot/role": "live" } });
  });

  it("demoted but not settled: clears the cutover label and powers the standby off", () => {
    const old = srv("app-a", { "firstboot/role": "standby" });
    const neu = srv("app-b", { "firstboot/role": "live", "firstboot/supersedes": String(old.id) });
    expect(lines(plan([old, neu], neu.id))).toEqual(["label app-b live", "power off app-a"]);
  });

  it("a Floating IP left on the old server or unassigned goes to the live one", () => {
    const live = srv("app-b", { "firstboot/role": "live" });
    expect(lines(plan([live], null))).toEqual(["move Floating IP app-ip to app-b"]);
  });

  it("never takes a Floating IP from a server outside the stack", () => {
    const live = srv("app-b", { "firstboot/role": "live" });
    const p = plan([live], 4242);
    expect(p.actions).toEqual([{ kind: "by-hand", text: expect.stringContaining("hcloud floating-ip assign 9") }]);
  });

  it("an older firstboot's two-live commit (no frozen role) still rolls forward", () => {
    const old = srv("app-a", { "firstboot/role": "live" });
    const neu = srv("app-b", { "firstboot/role": "live", "firstboot/supersedes": String(old.id) });
    expect(lines(plan([old, neu], old.id))).toEqual([
      "start the stack on app-b",
      "move Floating IP app-ip to app-b",
      "label app-a standby",
      "label app-b live",
      "power off app-a",
      "make app-b's backups the live generation",
    ]);
  });

  it("two live servers and no cutover label: asks, changes nothing", () => {
    const p = plan([srv("app-a", { "firstboot/role": "live" }), srv("app-b", { "firstboot/role": "live" })], null);
    expect(p.actions.map((a) => a.kind)).toEqual(["by-hand"]);
  });

  it("a candidate holding the IP of a stack with no live server is never deleted", () => {
    const cand = srv("app-b", { "firstboot/role": "candidate", "firstboot/temporary": "true" });
    expect(plan([cand], cand.id).actions.map((a) => a.kind)).toEqual(["by-hand"]);
  });

  it("a killed up's candidate (no IP yet) is deleted; a young one is left to its run", () => {
    const cand = srv("app-b", { "firstboot/role": "candidate", "firstboot/temporary": "true", "firstboot/run": "u1" });
    expect(plan([cand], null).actions.map((a) => a.kind)).toEqual(["delete"]);
    const young = recoveryPlan({ stack: "app", servers: [cand], nowMs: NOW }, 2 * 3600_000);
    expect(young.actions).toEqual([]);
  });
});
