import { describe, expect, it } from "vitest";
import { planReplace, replace, type ReplaceOptions, type ReplaceResult } from "../../src/deploy/replace.js";
import { inspectStack, recoverStack, recoveryPlan } from "../../src/deploy/recover.js";
import * as rs from "../../src/deploy/remote-steps.js";
import { healthCommand } from "../../src/deploy/stack.js";
import { CLOCK_READ, HAS_RSYNC, volumesCommand } from "../../src/deploy/sync.js";
import { temporaries } from "./env.js";
import { DEFAULT_RETRY } from "../../src/hcloud/retry.js";
import { requests } from "./helpers.js";
import { liveStack, stackSpec } from "./stack-fixture.js";

const rep = (s: string, n: number): string[] => Array<string>(n).fill(s);
const OPTS: ReplaceOptions = { freeze: true, rollbackWindowMs: 24 * 3600_000 };

const PLAN = ["GET /servers", "GET /server_types", "GET /images", "GET /floating_ips"];
const HAPPY = [
  "POST /servers",
  ...rep("GET /actions", 5),
  "GET /servers/{id}",
  // The old server is marked frozen, then the commit: the new server live, superseding it.
  "PUT /servers/{id}",
  "PUT /servers/{id}",
  "GET /floating_ips",
  "POST /floating_ips/{id}/actions/assign",
  ...rep("GET /actions", 2),
  "PUT /servers/{id}",
  "PUT /servers/{id}",
  "GET /servers/{id}",
  "POST /servers/{id}/actions/shutdown",
  ...rep("GET /actions", 4),
  "GET /servers/{id}",
  "GET /floating_ips",
  "GET /servers",
  "GET /servers",
];
const COMMIT = 8;

async function scenario(setup?: Parameters<typeof liveStack>[0]) {
  const ctx = await liveStack(setup);
  const spec = stackSpec();
  const plan = await planReplace(ctx.t.env, spec, OPTS);
  const planned = ctx.t.count;
  return { ...ctx, spec, plan, planned };
}

describe("replace against the fake API", () => {
  it("plans, then makes exactly this request sequence and SSH sequence", async () => {
    const { t, spec, plan, fipId, oldId } = await scenario();
    expect(requests(t.state)).toEqual(PLAN);
    expect(plan.text).toContain("old  selfmx-up1 (id");
    expect(plan.text).toContain("stop the stack on selfmx-up1: writes stop");
    const res = await replace(t.env, spec, plan, OPTS);
    expect(res.ok).toBe(true);
    expect(requests(t.state, PLAN.length)).toEqual(HAPPY);
    const OLD = "selfmx-up1",
      NEW = "selfmx-rep1";
    const sources =
      "/var/lib/docker/volumes/selfmx_caddy_data/_data/ /var/lib/docker/volumes/selfmx_data/_data/ /opt/selfmx/uploads/";
    expect(t.ssh.log.map((e) => `${e.server}: ${e.command}`)).toEqual([
      `${OLD}: ${HAS_RSYNC}`,
      `${NEW}: true`,
      `${NEW}: ${rs.CLOUD_INIT_WAIT}`,
      `${NEW}: ${rs.STATUS_READ}`,
      // While the old server serves: a backup, its restore, the first copy.
      `${OLD}: ${rs.BACKUP_RUN}`,
      `${NEW}: ${rs.restoreCommand("stack-20260101T000000Z")}`,
      `${NEW}: ${rs.STACK_STOP}`,
      `${OLD}: ${CLOCK_READ}`,
      `${OLD}: ${volumesCommand("selfmx")}`,
      `${NEW}: ${volumesCommand("selfmx")}`,
      `${NEW}: <receive>`,
      `${OLD}: <send> ${sources}`,
      // The freeze: stop and copy what changed (files touched since the first copy began) in one login.
      `${NEW}: <receive>`,
      `${OLD}: <send after stop, touch> ${sources}`,
      `${NEW}: ${healthCommand(180, true)}`,
      `${NEW}: ${healthCommand(120)}`,
      `${NEW}: ${rs.BACKUP_PROMOTE}`,
    ]);
    expect(t.ssh.copies.map(([from]) => from)).toEqual([OLD, OLD]);
    const neu = res.server!;
    expect(t.state.floatingIps.get(fipId)?.server).toBe(neu.id);
    expect(t.state.servers.get(neu.id)?.labels).toEqual({ "firstboot/stack": "selfmx", "firstboot/role": "live" });
    expect(t.state.servers.get(oldId)).toMatchObject({ status: "off", labels: { "firstboot/role": "standby" } });
    expect(t.ssh.restored.get(neu.id)).toBe("stack-20260101T000000Z");
    expect(res.downtimeMs).toBeGreaterThan(0);
    expect(res.downtimeMs).toBeLessThan(60_000);
    expect(temporaries(t.state)).toEqual([]);
  });

  it("--no-freeze keeps the old stack serving: one copy, no stop", async () => {
    const { t, spec, plan } = await scenario();
    const res = await replace(t.env, spec, plan, { ...OPTS, freeze: false });
    expect(res.ok).toBe(true);
    expect(t.ssh.log.some((e) => e.server === "selfmx-up1" && e.command === rs.STACK_STOP)).toBe(false);
    expect(t.ssh.copies).toHaveLength(1);
    expect(t.ssh.restored.get(res.server!.id)).toBe("stack-20260101T000000Z");
  });

  it("without rsync on the old server the freeze holds a final backup and its restore", async () => {
    const { t } = await liveStack();
    t.ssh.rsync = false;
    const spec = stackSpec();
    const plan = await planReplace(t.env, spec, OPTS);
    expect([plan.sync, plan.text]).toEqual([false, expect.stringContaining("no rsync on selfmx-up1: a longer freeze")]);
    const res = await replace(t.env, spec, plan, OPTS);
    expect(res.ok).toBe(true);
    expect(t.ssh.copies).toEqual([]);
    const after = t.ssh.log.map((e) => `${e.server}: ${e.command}`).slice(4);
    expect(after).toEqual([
      `selfmx-up1: ${rs.BACKUP_RUN}`,
      `selfmx-rep1: ${rs.restoreCommand("stack-20260101T000000Z")}`,
      `selfmx-up1: ${rs.STACK_STOP}`,
      `selfmx-up1: ${rs.BACKUP_RUN}`,
      `selfmx-rep1: ${rs.restoreCommand("stack-20260101T000001Z")}`,
      `selfmx-rep1: ${healthCommand(180, true)}`,
      `selfmx-rep1: ${healthCommand(120)}`,
      `selfmx-rep1: ${rs.BACKUP_PROMOTE}`,
    ]);
  });

  it("refuses without a pinned host key for the old server", async () => {
    const { t, spec } = await scenario();
    t.env.knownHosts += ".missing";
    await expect(planReplace(t.env, spec, OPTS)).rejects.toThrow(/no pinned host key for selfmx-up1/);
  });
});

type Scenario = Awaited<ReturnType<typeof scenario>>;

/** Before the commit: the old server serves as before, the new one is gone, nothing is left. */
async function undone(s: Scenario, res: ReplaceResult): Promise<void> {
  const { state, ssh } = s.t;
  if (res.ok) throw new Error("expected the run to fail");
  expect(temporaries(state)).toEqual([]);
  expect([...state.servers.keys()]).toEqual([s.oldId]);
  expect(state.servers.get(s.oldId)).toMatchObject({ status: "running" });
  expect(state.servers.get(s.oldId)?.labels).toEqual({ "firstboot/stack": "selfmx", "firstboot/role": "live" });
  expect(ssh.stack.get(s.oldId)).toBe("running");
  expect(state.floatingIps.get(s.fipId)?.server).toBe(s.oldId);
  expect(res.leftovers).toEqual([]);
}

/** After the commit: the new server stays the stack; `recover` finishes what the run did not. */
async function committed(s: Scenario, res: ReplaceResult): Promise<void> {
  const { state, ssh } = s.t;
  const neu = [...state.servers.values()].find((x) => x.name === "selfmx-rep1")!;
  if (res.ok) throw new Error("expected the run to fail");
  expect(neu.labels["firstboot/role"]).toBe("live");
  expect(temporaries(state)).toEqual([]);
  if (!res.interrupted) expect(res.error.message).toMatch(/committed to selfmx-rep1.*firstboot recover/s);
  s.t.onRequest = undefined;
  state.faults.length = 0;
  ssh.fail.length = 0;
  // The next command is a new process: its own signal, no faults.
  const env = { ...s.t.env, signal: new AbortController().signal };
  env.hc.detachSignal();
  const rec = await recoverStack(env, s.spec);
  expect(rec).toMatchObject({ ok: true, byHand: [] });
  expect(state.floatingIps.get(s.fipId)?.server).toBe(neu.id);
  expect(state.servers.get(neu.id)?.labels).toEqual({ "firstboot/stack": "selfmx", "firstboot/role": "live" });
  expect(state.servers.get(s.oldId)).toMatchObject({ status: "off", labels: { "firstboot/role": "standby" } });
  expect(ssh.stack.get(neu.id)).toBe("running");
  expect(recoveryPlan(await inspectStack(s.t.env, "selfmx", "selfmx-ip")).actions).toEqual([]);
}

async function run(setup: (s: Scenario) => void): Promise<{ s: Scenario; res: ReplaceResult }> {
  const s = await scenario();
  setup(s);
  s.t.env.hc.signal = s.t.abort.signal;
  return { s, res: await replace(s.t.env, s.spec, s.plan, OPTS) };
}

describe("replace faults before the commit: the old server keeps serving and the IP stays", () => {
  it.each(HAPPY.slice(0, COMMIT + 1).map((r, i) => [i, r] as const))("API request %i (%s) fails", async (i) => {
    const { s, res } = await run((s) => (s.t.onRequest = (n) => (n === s.planned + i ? 400 : undefined)));
    await undone(s, res);
  });

  it.each(HAPPY.slice(0, COMMIT).map((r, i) => [i, r] as const))("Ctrl-C at API request %i (%s)", async (i) => {
    const { s, res } = await run((s) => (s.t.onRequest = (n) => void (n === s.planned + i && s.t.abort.abort())));
    await undone(s, res);
  });

  // The copy's two sides: the receiving rsync on the new server, the sender (after the stop) on the old.
  const SSH = [
    "true",
    "cloud-init status",
    "status.json",
    rs.STACK_STOP,
    rs.BACKUP_RUN,
    "firstboot-restore",
    "docker volume ls",
    "sudo -n bash -c",
    "rsync --server",
    rs.STACK_START_ROOT,
  ];
  it.each(SSH)("SSH command %s fails", async (match) => {
    const { s, res } = await run((s) =>
      s.t.ssh.fail.push({
        match,
        server: match === rs.STACK_START_ROOT ? "selfmx-rep1" : undefined,
        exitCode: match === "true" ? 255 : 1,
        times: Infinity,
      }),
    );
    await undone(s, res);
  });

  it.each(SSH)("Ctrl-C during SSH command %s", async (match) => {
    const { s, res } = await run((s) => (s.t.ssh.onExec = (_srv, c) => void (c.includes(match) && s.t.abort.abort())));
    await undone(s, res);
  });

  it.each(["create_server", "start_server"])("action %s errors", async (command) => {
    const { s, res } = await run((s) => s.t.state.faults.push({ on: `action:${command}`, code: "action_failed" }));
    await undone(s, res);
  });

  it("the response to POST /servers is lost on every attempt (applied, then 504): the server is adopted and deleted", async () => {
    const { s, res } = await run((s) =>
      s.t.state.faults.push({ on: "POST /servers", status: 504, afterApply: true, times: DEFAULT_RETRY.maxAttempts }),
    );
    await undone(s, res);
  });

  it("the commit's answer is lost after it applied: read back, the run goes on and succeeds", async () => {
    const { s, res } = await run((s) => {
      let puts = 0;
      const real = s.t.env.hc.api.PUT as (...a: unknown[]) => Promise<unknown>;
      (s.t.env.hc.api as { PUT: unknown }).PUT = async (...args: unknown[]) => {
        const answer = await real(...args);
        if (++puts === 2) throw new TypeError("fetch failed: socket hang up");
        return answer;
      };
    });
    expect(res.ok).toBe(true);
    expect(s.t.state.floatingIps.get(s.fipId)?.server).toBe(res.server!.id);
  });
});

describe("replace faults after the commit: the new server stays the stack and `recover` finishes", () => {
  const after = HAPPY.map((r, i) => [i, r] as const).slice(COMMIT + 1, -3);
  it.each(after)("API request %i (%s) fails", async (i) => {
    const { s, res } = await run((s) => (s.t.onRequest = (n) => (n === s.planned + i ? 400 : undefined)));
    await committed(s, res);
  });

  it.each([COMMIT, ...after.map(([i]) => i)])("Ctrl-C at API request %i", async (i) => {
    const { s, res } = await run((s) => (s.t.onRequest = (n) => void (n === s.planned + i && s.t.abort.abort())));
    await committed(s, res);
  });

  it.each(["POST /floating_ips/{id}/actions/assign", "POST /servers/{id}/actions/shutdown"])(
    "the response to %s is lost on every attempt (applied, then 504)",
    async (on) => {
      const { s, res } = await run((s) =>
        s.t.state.faults.push({ on, status: 504, afterApply: true, times: DEFAULT_RETRY.maxAttempts }),
      );
      await committed(s, res);
    },
  );

  it("action assign_floating_ip errors", async () => {
    const { s, res } = await run((s) =>
      s.t.state.faults.push({ on: "action:assign_floating_ip", code: "action_failed" }),
    );
    await committed(s, res);
  });

  it("the HTTP check through the Floating IP fails: no way back but `firstboot rollback`", async () => {
    const { s, res } = await run((s) => {
      const real = s.t.env.http;
      s.t.env.http = async (url, ms) => (url.includes("198.51.100") ? undefined : real(url, ms));
    });
    await committed(s, res);
  });

  it("the health check through the Floating IP fails over SSH", async () => {
    const { s, res } = await run((s) => s.t.ssh.fail.push({ match: "firstboot-health 120", exitCode: 1 }));
    await committed(s, res);
  });
});
