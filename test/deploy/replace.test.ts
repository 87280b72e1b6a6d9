import { describe, expect, it } from "vitest";
import { planReplace, replace, type ReplaceOptions } from "../../src/deploy/replace.js";
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
  "POST /floating_ips/{id}/actions/assign",
  ...rep("GET /actions", 2),
  "PUT /servers/{id}",
  "PUT /servers/{id}",
  "POST /servers/{id}/actions/shutdown",
  ...rep("GET /actions", 4),
  "GET /servers/{id}",
  "GET /servers",
];

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
    ]);
  });

  it("refuses without a pinned host key for the old server", async () => {
    const { t, spec } = await scenario();
    t.env.knownHosts += ".missing";
    await expect(planReplace(t.env, spec, OPTS)).rejects.toThrow(/no pinned host key for selfmx-up1/);
  });
});

describe("replace faults: the old server keeps serving and the IP stays", () => {
  async function check(setup: (s: Awaited<ReturnType<typeof scenario>>) => void): Promise<boolean> {
    const s = await scenario();
    setup(s);
    const res = await replace(s.t.env, s.spec, s.plan, OPTS);
    if (res.ok) return true;
    const { state, ssh } = s.t;
    expect(temporaries(state)).toEqual([]);
    expect([...state.servers.keys()]).toEqual([s.oldId]);
    expect(state.servers.get(s.oldId)).toMatchObject({ status: "running", labels: { "firstboot/role": "live" } });
    expect(ssh.stack.get(s.oldId)).toBe("running");
    expect(state.floatingIps.get(s.fipId)?.server).toBe(s.oldId);
    expect(res.leftovers).toEqual([]);
    return false;
  }
  const upToCommit = HAPPY.indexOf("PUT /servers/{id}");

  it.each(HAPPY.slice(0, upToCommit + 1).map((r, i) => [i, r] as const))("API request %i (%s) fails", async (i) => {
    const ok = await check((s) => (s.t.onRequest = (n) => (n === s.planned + i ? 422 : undefined)));
    expect(ok).toBe(false);
  });

  it.each(HAPPY.slice(0, upToCommit).map((r, i) => [i, r] as const))("Ctrl-C at API request %i (%s)", async (i) => {
    const ok = await check((s) => (s.t.onRequest = (n) => void (n === s.planned + i && s.t.abort.abort())));
    expect(ok).toBe(false);
  });

  it("Ctrl-C once the commit request went out: the new server is the stack, nothing temporary is left", async () => {
    const s = await scenario();
    s.t.onRequest = (n) => void (n === s.planned + upToCommit && s.t.abort.abort());
    const res = await replace(s.t.env, s.spec, s.plan, OPTS);
    expect(res).toMatchObject({ ok: false, interrupted: true, leftovers: [] });
    expect(s.t.state.floatingIps.get(s.fipId)?.server).toBe(res.server!.id);
    expect(s.t.state.servers.get(res.server!.id)?.labels["firstboot/role"]).toBe("live");
    expect(temporaries(s.t.state)).toEqual([]);
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
    "firstboot-health",
  ];
  it.each(SSH)("SSH command %s fails", async (match) => {
    expect(
      await check((s) =>
        s.t.ssh.fail.push({
          match,
          server: match === rs.STACK_START_ROOT ? "selfmx-rep1" : undefined,
          exitCode: match === "true" ? 255 : 1,
          times: Infinity,
        }),
      ),
    ).toBe(false);
  });

  it.each(SSH)("Ctrl-C during SSH command %s", async (match) => {
    expect(await check((s) => (s.t.ssh.onExec = (_srv, c) => void (c.includes(match) && s.t.abort.abort())))).toBe(
      false,
    );
  });

  it.each(["POST /servers", "POST /floating_ips/{id}/actions/assign", "PUT /servers/{id}"])(
    "the response to %s is lost on every attempt (applied, then 504)",
    async (on) => {
      expect(
        await check((s) =>
          s.t.state.faults.push({ on, status: 504, afterApply: true, times: DEFAULT_RETRY.maxAttempts }),
        ),
      ).toBe(false);
    },
  );

  it.each(["create_server", "start_server", "assign_floating_ip"])("action %s errors", async (command) => {
    expect(await check((s) => s.t.state.faults.push({ on: `action:${command}`, code: "action_failed" }))).toBe(false);
  });

  it("the HTTP check through the Floating IP fails: the IP moves back", async () => {
    let calls = 0;
    const ok = await check((s) => {
      const real = s.t.env.http;
      s.t.env.http = async (url, ms) => (url.includes("198.51.100") && ++calls > 0 ? undefined : real(url, ms));
    });
    expect(ok).toBe(false);
    expect(calls).toBeGreaterThan(0);
  });
});
