// The Cloud Firewall `up` creates: temporary (labelled with the run) until the server is live,
// adopted by name when the answer to its create is lost, deleted when `up` fails, and found by
// `firstboot gc` when that delete failed too.
import { describe, expect, it } from "vitest";
import { up } from "../../src/deploy/up.js";
import { findLeftovers } from "../../src/deploy/gc.js";
import { testEnv, type TestEnv } from "./env.js";
import { requests } from "./helpers.js";
import { stackSpec, withFloatingIp } from "./stack-fixture.js";

const RULES = [{ direction: "in" as const, protocol: "tcp" as const, port: "443", source_ips: ["0.0.0.0/0"] }];

async function upWithFirewall(setup: (t: TestEnv) => void = () => undefined) {
  const t = testEnv();
  await withFloatingIp(t);
  setup(t);
  const res = await up(t.env, stackSpec({ cloudFirewall: RULES }));
  return { t, res, firewalls: [...t.state.firewalls.values()] };
}

describe("up's Cloud Firewall", () => {
  it("is temporary while up runs and the stack's once the server is live", async () => {
    let during: Record<string, string> | undefined;
    const { res, firewalls } = await upWithFirewall(
      (t) => (t.ssh.onExec = () => void (during ??= [...t.state.firewalls.values()][0]?.labels)),
    );
    expect(res.ok).toBe(true);
    expect(during).toEqual({ "firstboot/stack": "selfmx", "firstboot/temporary": "true", "firstboot/run": "run1" });
    expect(firewalls.map((f) => f.labels)).toEqual([{ "firstboot/stack": "selfmx" }]);
  });

  it("a lost answer to its create is not repeated: found by name and deleted", async () => {
    const { t, res, firewalls } = await upWithFirewall((t) =>
      t.state.faults.push({ on: "POST /firewalls", status: 504, afterApply: true }),
    );
    expect(res.ok).toBe(false);
    expect(requests(t.state).filter((r) => r === "POST /firewalls")).toHaveLength(1);
    expect(requests(t.state)).toContain("DELETE /firewalls/{id}");
    expect(firewalls).toEqual([]);
  });

  it("is deleted when up fails later", async () => {
    const { t, res, firewalls } = await upWithFirewall((t) =>
      t.ssh.fail.push({ match: "cloud-init status", exitCode: 1, times: Infinity }),
    );
    expect(res.ok).toBe(false);
    expect(firewalls).toEqual([]);
    expect(t.state.servers.size).toBe(0);
  });

  it("when its delete fails too, it is named and `firstboot gc` finds and deletes it", async () => {
    const { t, res, firewalls } = await upWithFirewall((t) => {
      t.ssh.fail.push({ match: "cloud-init status", exitCode: 1, times: Infinity });
      t.state.faults.push({ on: "DELETE /firewalls/{id}", status: 422 });
    });
    expect(res.ok).toBe(false);
    const [left] = firewalls;
    if (!res.ok) expect(res.leftovers).toEqual([`delete firewall ${left!.id}: hcloud firewall delete ${left!.id}`]);
    const found = await findLeftovers(t.env, 0);
    expect(found.map((l) => [l.kind, l.id, l.why])).toEqual([["firewall", left!.id, "temporary, run run1"]]);
    await found[0]!.remove();
    expect(t.state.firewalls.size).toBe(0);
  });

  it("gc leaves a live stack's firewall and a temporary one still applied to a server alone", async () => {
    const { t, res } = await upWithFirewall();
    expect(res.ok).toBe(true);
    const [live] = [...t.state.firewalls.values()];
    live!.labels = { ...live!.labels, "firstboot/temporary": "true" };
    expect(await findLeftovers(t.env, 0)).toEqual([]);
  });
});
