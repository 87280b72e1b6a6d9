// Ctrl-C while a remote command runs: the command bound to the run's signal (stack.connect) ends
// at once instead of when the server answers, and the cleanups after it still run commands over
// SSH (the old stack is started again) because the workflow drops the signal before them.
import { expect, it } from "vitest";
import { planReplace, replace } from "../../src/deploy/replace.js";
import { up } from "../../src/deploy/up.js";
import * as rs from "../../src/deploy/remote-steps.js";
import { healthCommand } from "../../src/deploy/stack.js";
import { liveStack, stackSpec, withFloatingIp } from "./stack-fixture.js";
import { temporaries, testEnv } from "./env.js";
import { realClock } from "../../src/clock.js";

const OPTS = { freeze: true, rollbackWindowMs: 24 * 3600_000 };

it("inside replace's freeze a hanging health wait ends at Ctrl-C; the old stack serves again", async () => {
  const { t, fipId, oldId } = await liveStack();
  const spec = stackSpec();
  const plan = await planReplace(t.env, spec, OPTS);
  const waitInFreeze = healthCommand(180, true);
  t.ssh.hang.push(waitInFreeze);
  t.ssh.onExec = (_s, c) => void (c === waitInFreeze && setTimeout(() => t.abort.abort(), 50));
  const t0 = Date.now();
  const res = await replace(t.env, spec, plan, OPTS);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(res.ok).toBe(false);
  if (!res.ok) expect(res.interrupted).toBe(true);
  const log = t.ssh.log.map((e) => `${e.server}: ${e.command}`);
  const hung = log.indexOf(`selfmx-rep1: ${waitInFreeze}`);
  expect(hung).toBeGreaterThan(0);
  // After the abort, a cleanup still reached the old server over SSH.
  expect(log.slice(hung + 1)).toContain(`selfmx-up1: ${rs.STACK_START}`);
  expect(t.ssh.stack.get(oldId)).toBe("running");
  expect(t.state.floatingIps.get(fipId)?.server).toBe(oldId);
  expect(temporaries(t.state)).toEqual([]);
});

it("up: a hanging cloud-init wait ends at Ctrl-C and the new server is deleted", async () => {
  const t = testEnv();
  await withFloatingIp(t);
  t.ssh.hang.push(rs.CLOUD_INIT_WAIT);
  t.ssh.onExec = (_s, c) => void (c === rs.CLOUD_INIT_WAIT && setTimeout(() => t.abort.abort(), 50));
  const res = await up(t.env, stackSpec());
  expect(res.ok).toBe(false);
  if (!res.ok) expect([res.failedStep, res.interrupted]).toEqual(["wait for cloud-init", true]);
  expect(t.state.servers.size).toBe(0);
});

it("waitForCloudInit's pause between lost connections ends at Ctrl-C", async () => {
  const abort = new AbortController();
  const lost = async () => ({ exitCode: 255, stdout: "", stderr: "Connection closed" });
  setTimeout(() => abort.abort(), 50);
  const t0 = Date.now();
  await expect(rs.waitForCloudInit({ exec: lost }, 60_000, realClock, abort.signal)).rejects.toMatchObject({
    name: "AbortError",
  });
  expect(Date.now() - t0).toBeLessThan(1000);
});
