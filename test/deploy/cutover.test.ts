// The cutover protocol end to end against the fake: a kill at every API request of up, replace
// and rollback, then the next command (`recover`) in a new process; IPv6 Floating IPs; the
// Floating IP's address checked; rollback to the newest standby; what gc must never delete.
import { describe, expect, it } from "vitest";
import { Hcloud } from "../../src/hcloud/client.js";
import { fakeFetch } from "../../src/fake-cloud/index.js";
import { planReplace, replace } from "../../src/deploy/replace.js";
import { planRollback, rollback } from "../../src/deploy/rollback.js";
import { inspectStack, recoverStack, recoveryPlan } from "../../src/deploy/recover.js";
import { findLeftovers } from "../../src/deploy/gc.js";
import { up } from "../../src/deploy/up.js";
import type { Env } from "../../src/deploy/workflow.js";
import { temporaries, testEnv, type TestEnv } from "./env.js";
import { liveStack, stackSpec, withFloatingIp } from "./stack-fixture.js";

const DAY = 24 * 3600_000;
const OPTS = { freeze: true, rollbackWindowMs: DAY };

/** A new firstboot process over the same project and servers: its own client and signal. */
function nextProcess(t: TestEnv): Env {
  const hc = new Hcloud({ token: "t", endpoint: "http://fake/v1", clock: t.env.hc.clock, fetch: fakeFetch(t.state) });
  return { ...t.env, hc, signal: new AbortController().signal };
}

/** The invariants after the next command: one live server, the IP on it, its stack running, nothing temporary. */
async function settled(t: TestEnv, fipId: number): Promise<number> {
  const env = nextProcess(t);
  const rec = await recoverStack(env, stackSpec());
  expect(rec).toMatchObject({ ok: true, byHand: [] });
  t.state.tick();
  const live = [...t.state.servers.values()].filter((s) => s.labels["firstboot/role"] === "live");
  expect(live).toHaveLength(1);
  expect(live[0]!.labels).toEqual({ "firstboot/stack": "selfmx", "firstboot/role": "live" });
  expect(t.state.floatingIps.get(fipId)?.server).toBe(live[0]!.id);
  // The fake answers HTTP only for a running server whose stack runs (a held stack counts as stopped).
  expect(await t.ssh.http(`http://${live[0]!.public_net.ipv4?.ip}/`)).toBe(200);
  expect(temporaries(t.state)).toEqual([]);
  expect(recoveryPlan(await inspectStack(env, "selfmx", "selfmx-ip")).actions).toEqual([]);
  return live[0]!.id;
}

/** Requests a clean run makes, to kill it at each one. */
async function count(run: (t: TestEnv) => Promise<unknown>, setup: () => Promise<TestEnv>): Promise<number> {
  const t = await setup();
  const base = t.count;
  await run(t);
  return t.count - base;
}

/** Waits (real time: key generation runs ssh-keygen) until the run reached its kill point. */
async function reach(t: TestEnv): Promise<void> {
  for (let k = 0; k < 2000 && !t.killed; k++) await new Promise((r) => setTimeout(r, 5));
  expect(t.killed).toBe(true);
}

async function killAt(i: number, setup: () => Promise<TestEnv>, run: (t: TestEnv) => Promise<unknown>) {
  const t = await setup();
  const base = t.count;
  t.onRequest = (n) => void (n === base + i && (t.killed = true));
  void run(t);
  await reach(t);
  return t;
}

describe("kill -9 at every API request, then the next command finishes or undoes the run", () => {
  const replaceRun = async (t: TestEnv) =>
    replace(t.env, stackSpec(), await planReplace(t.env, stackSpec(), OPTS), OPTS);
  const setup = async () => (await liveStack()).t;

  it("replace: every kill point ends with one live server holding the IP, its stack running", async () => {
    const n = await count(replaceRun, setup);
    expect(n).toBeGreaterThan(20);
    const outcomes = new Set<string>();
    for (let i = 0; i < n; i++) {
      const t = await killAt(i, setup, replaceRun);
      const fipId = [...t.state.floatingIps.keys()][0]!;
      const live = await settled(t, fipId);
      outcomes.add(t.state.servers.get(live)!.name);
    }
    // Kills before the commit go back to the old server, kills after it forward to the new one.
    expect([...outcomes].sort()).toEqual(["selfmx-rep1", "selfmx-up1"]);
  });

  it("up: a killed up never leaves a half-booted server labelled live", async () => {
    const bare = async () => {
      const t = testEnv();
      await withFloatingIp(t);
      return t;
    };
    const n = await count((t) => up(t.env, stackSpec()), bare);
    for (let i = 0; i < n; i++) {
      const t = await killAt(i, bare, (t) => up(t.env, stackSpec()));
      const env = nextProcess(t);
      const rec = await recoverStack(env, stackSpec());
      expect(rec.ok, `kill at ${i}`).toBe(true);
      const left = [...t.state.servers.values()];
      expect(temporaries(t.state), `kill at ${i}`).toEqual([]);
      expect(
        left.every((s) => s.labels["firstboot/role"] === "live"),
        `kill at ${i}`,
      ).toBe(true);
      const fip = [...t.state.floatingIps.values()][0]!;
      expect(fip.server ?? null, `kill at ${i}`).toBe(left[0]?.id ?? null);
    }
  });

  it("rollback: every kill point ends with one live server holding the IP", async () => {
    const replaced = async () => {
      const { t } = await liveStack();
      expect((await replaceRun(t)).ok).toBe(true);
      t.env.runId = "rb1";
      return t;
    };
    const rb = async (t: TestEnv) => rollback(t.env, stackSpec(), await planRollback(t.env, stackSpec()), DAY);
    const n = await count(rb, replaced);
    for (let i = 0; i < n; i++) {
      const t = await killAt(i, replaced, rb);
      await settled(t, [...t.state.floatingIps.keys()][0]!);
    }
  });
});

describe("Floating IPs", () => {
  it("IPv6: SSH and HTTP checks go to the address inside the /64, in brackets in URLs", async () => {
    const spec = stackSpec({ floatingIp: { name: "selfmx-ip", ip: "2001:db8:ff::/64" } });
    const { t, fipId } = await liveStack(spec, "ipv6");
    const urls: string[] = [];
    const http = t.env.http;
    t.env.http = async (url, ms) => (urls.push(url), http(url, ms));
    const res = await replace(t.env, spec, await planReplace(t.env, spec, OPTS), OPTS);
    expect(res.ok).toBe(true);
    expect(t.state.floatingIps.get(fipId)?.server).toBe(res.server!.id);
    expect(urls).toContain("http://[2001:db8:ff::1]/");
    const back = await rollback(t.env, spec, await planRollback(t.env, spec), DAY);
    expect(back.ok).toBe(true);
  });

  it("refuses a config whose address is not the API's Floating IP", async () => {
    const { t } = await liveStack();
    const wrong = stackSpec({ floatingIp: { name: "selfmx-ip", ip: "198.51.100.99" } });
    await expect(planReplace(t.env, wrong, OPTS)).rejects.toThrow(/is 198\.51\.100\.\d+ in the Hetzner API/);
    const v6 = stackSpec({ floatingIp: { name: "selfmx-ip", ip: "2001:db8::/64" } });
    await expect(planReplace(t.env, v6, OPTS)).rejects.toThrow(/server\.floating_ip\.ip says 2001:db8::\/64/);
  });
});

describe("rollback and gc choose safely", () => {
  it("rollback goes back to the server that was live last, not the one with the latest expiry", async () => {
    const { t } = await liveStack();
    const spec = stackSpec();
    const week = { ...OPTS, rollbackWindowMs: 7 * DAY };
    expect((await replace(t.env, spec, await planReplace(t.env, spec, week), week)).ok).toBe(true);
    await t.env.hc.clock.sleep(60_000);
    t.env.runId = "rep2";
    const hour = { ...OPTS, rollbackWindowMs: 3600_000 };
    expect((await replace(t.env, spec, await planReplace(t.env, spec, hour), hour)).ok).toBe(true);
    expect((await planRollback(t.env, spec)).standby.name).toBe("selfmx-rep1");
  });

  it("gc keeps a candidate holding a Floating IP and the servers of a stack with an interrupted cutover", async () => {
    const { t, fipId } = await liveStack();
    const spec = stackSpec();
    // Killed right after the commit: two live servers, the new one supersedes the old.
    const plan = await planReplace(t.env, spec, OPTS);
    t.onRequest = (_n, m, p) => void (m === "GET" && p === "/floating_ips" && (t.killed = true));
    void replace(t.env, spec, plan, OPTS);
    await reach(t);
    const env = nextProcess(t);
    await env.hc.clock.sleep(3600_000);
    const kept: string[] = [];
    expect(await findLeftovers(env, 0, kept)).toEqual([]);
    expect(kept).toEqual([expect.stringMatching(/stack selfmx has an interrupted cutover/)]);
    await settled(t, fipId);
    // A temporary server someone moved the Floating IP to is still serving: gc leaves it.
    const { server } = await env.hc.call(
      "s",
      env.hc.api.POST("/servers", {
        body: {
          name: "tmp",
          server_type: "cx23",
          image: "debian-12",
          location: "nbg1",
          start_after_create: true,
          labels: { "firstboot/temporary": "true" },
        },
      }),
    );
    t.state.floatingIps.get(fipId)!.server = server.id;
    await env.hc.clock.sleep(3600_000);
    const kept2: string[] = [];
    expect(await findLeftovers(env, 0, kept2)).toEqual([]);
    expect(kept2).toEqual(["kept tmp: it holds Floating IP selfmx-ip"]);
  });
});
