import { describe, expect, it } from "vitest";
import { planReplace, replace } from "../../src/deploy/replace.js";
import { planRollback, rollback } from "../../src/deploy/rollback.js";
import { findLeftovers } from "../../src/deploy/gc.js";
import { listGolden, prune, pruneSelection } from "../../src/deploy/images.js";
import { buildImage } from "../../src/deploy/build-image.js";
import { fakeUserData, temporaries, testEnv } from "./env.js";
import { liveStack, stackSpec } from "./stack-fixture.js";
import { requests } from "./helpers.js";

const DAY = 24 * 3600_000;

async function replaced() {
  const ctx = await liveStack();
  const spec = stackSpec();
  const opts = { freeze: true, rollbackWindowMs: DAY };
  const res = await replace(ctx.t.env, spec, await planReplace(ctx.t.env, spec, opts), opts);
  expect(res.ok).toBe(true);
  return { ...ctx, spec, newId: res.server!.id };
}

describe("rollback", () => {
  it("starts the kept server, moves the Floating IP back and swaps the roles", async () => {
    const { t, spec, oldId, newId, fipId } = await replaced();
    const plan = await planRollback(t.env, spec);
    expect([plan.standby.id, plan.live.id]).toEqual([oldId, newId]);
    const res = await rollback(t.env, spec, plan, DAY);
    expect(res.ok).toBe(true);
    expect(t.state.floatingIps.get(fipId)?.server).toBe(oldId);
    expect(t.state.servers.get(oldId)).toMatchObject({ status: "running", labels: { "firstboot/role": "live" } });
    expect(t.state.servers.get(newId)).toMatchObject({ status: "off", labels: { "firstboot/role": "standby" } });
    expect(t.ssh.stack.get(oldId)).toBe("running");
  });

  it("if the kept server is unhealthy, nothing moves and it is powered off again", async () => {
    const { t, spec, oldId, newId, fipId } = await replaced();
    t.ssh.fail.push({ match: "sudo -n systemctl start", server: "selfmx-up1", times: Infinity });
    const res = await rollback(t.env, spec, await planRollback(t.env, spec), DAY);
    expect(res.ok).toBe(false);
    expect(t.state.floatingIps.get(fipId)?.server).toBe(newId);
    expect(t.state.servers.get(oldId)?.status).toBe("off");
    expect(t.ssh.stack.get(newId)).toBe("running");
  });
});

describe("gc and images", () => {
  it("gc finds what an interrupted run left and standbys past their window", async () => {
    const t = testEnv();
    t.env.hc.signal = undefined;
    await t.env.hc.call(
      "k",
      t.env.hc.api.POST("/ssh_keys", {
        body: {
          name: "firstboot-build-x",
          public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9aGVHhk7h3m0bGZr4Xo6pZ0WmI2N0k3dTq0cUu5v1A x",
          labels: { "firstboot/temporary": "true", "firstboot/run": "x" },
        },
      }),
    );
    await t.env.hc.call(
      "s",
      t.env.hc.api.POST("/servers", {
        body: {
          name: "old-standby",
          server_type: "cx22",
          image: "debian-12",
          location: "nbg1",
          start_after_create: true,
          labels: { "firstboot/stack": "a", "firstboot/role": "standby", "firstboot/standby-until": "1" },
        },
      }),
    );
    await t.env.hc.call(
      "s",
      t.env.hc.api.POST("/servers", {
        body: {
          name: "fresh-standby",
          server_type: "cx22",
          image: "debian-12",
          location: "nbg1",
          start_after_create: true,
          labels: { "firstboot/stack": "a", "firstboot/role": "standby", "firstboot/standby-until": "99999999999" },
        },
      }),
    );
    t.env.hc.clock.sleep(60_000);
    const found = await findLeftovers(t.env, 0);
    expect(found.map((l) => `${l.kind} ${l.name}`)).toEqual(["ssh_key firstboot-build-x", "server old-standby"]);
    expect(await findLeftovers(t.env, 10 * 60_000).then((l) => l.map((x) => x.name))).toEqual(["old-standby"]);
    for (const l of found) await l.remove();
    expect(temporaries(t.state)).toEqual([]);
    expect([...t.state.servers.values()].map((s) => s.name)).toEqual(["fresh-standby"]);
  });

  it("images prune keeps the newest N per image", async () => {
    const t = testEnv({});
    for (const hash of ["h1", "h2", "h3"]) {
      await t.env.hc.clock.sleep(1000);
      const r = await buildImage(t.env, {
        name: "selfmx",
        stack: "selfmx",
        serverType: "cx22",
        location: "nbg1",
        baseImage: "debian-12",
        hash,
        sshUser: "deploy",
        sshPort: 22,
        render: async (hk) => fakeUserData(hk),
      });
      expect(r.ok).toBe(true);
    }
    const rows = await listGolden(t.env);
    expect(rows.map((r) => r.hash)).toEqual(["h3", "h2", "h1"]);
    expect(pruneSelection(rows, 2).map((r) => r.hash)).toEqual(["h1"]);
    expect((await prune(t.env, 1)).map((r) => r.hash)).toEqual(["h2", "h1"]);
    expect((await listGolden(t.env)).map((r) => r.hash)).toEqual(["h3"]);
  });
});

describe("rollback faults: the current server keeps serving", () => {
  async function attempt(setup: (s: Awaited<ReturnType<typeof replaced>>, base: number) => void) {
    const s = await replaced();
    const plan = await planRollback(s.t.env, s.spec);
    const logBase = s.t.state.log.length;
    setup(s, s.t.count);
    const res = await rollback(s.t.env, s.spec, plan, DAY);
    return { s, res, seq: requests(s.t.state, logBase) };
  }

  it("any request before the commit failing leaves the Floating IP, stack and roles as they were", async () => {
    const { seq, res } = await attempt(() => undefined);
    expect(res.ok).toBe(true);
    const commit = seq.indexOf("PUT /servers/{id}");
    expect(commit).toBeGreaterThan(5);
    for (let i = 0; i <= commit; i++) {
      const { s, res } = await attempt((x, base) => (x.t.onRequest = (n) => (n === base + i ? 422 : undefined)));
      const what = `request ${i} (${seq[i]})`;
      expect(res.ok, what).toBe(false);
      const { state, ssh } = s.t;
      expect(state.floatingIps.get(s.fipId)?.server, what).toBe(s.newId);
      expect(state.servers.get(s.newId)?.labels["firstboot/role"], what).toBe("live");
      expect(ssh.stack.get(s.newId), what).toBe("running");
      expect(state.servers.get(s.oldId)?.status, what).toBe("off");
      expect(res.ok ? [] : res.leftovers, what).toEqual([]);
    }
  });
});
