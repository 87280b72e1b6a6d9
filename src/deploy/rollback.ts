// rollback: undo the last replace while its old server is still kept. Start the standby
// server and its stack, check its health, stop writes on the current server, move the
// Floating IP back, check through it, then swap roles (the current server becomes the standby).
// Writes made on the current server since the replace are not carried back.
import * as r from "../hcloud/resources.js";
import { HcloudError } from "../hcloud/errors.js";
import * as rs from "./remote-steps.js";
import { mustExec, type Remote } from "../ssh/index.js";
import { connect, hasHostKey, liveSelector, waitForHealth, waitSsh, type StackSpec } from "./stack.js";
import { runSteps, type Step, type StepsResult } from "./steps.js";
import type { Env } from "./workflow.js";
import { hcloud } from "../catalogue.js";

export interface RollbackPlan {
  live: r.Server;
  standby: r.Server;
  fip: r.FloatingIp;
}

export async function planRollback(env: Env, spec: StackSpec): Promise<RollbackPlan> {
  const step = "plan the rollback";
  if (!spec.floatingIp) throw new HcloudError(step, "invalid_input", hcloud.needsFloatingIp("rollback"));
  const live = await r.listServers(env.hc, liveSelector(spec.name));
  if (live.length !== 1) throw new HcloudError(step, "conflict", hcloud.liveCount(spec.name, live.length));
  const standbys = await r.listServers(env.hc, r.selector({ [r.LABEL.stack]: spec.name, [r.LABEL.role]: "standby" }));
  const standby = standbys.sort(
    (a, b) => Number(b.labels[r.LABEL.standbyUntil] ?? 0) - Number(a.labels[r.LABEL.standbyUntil] ?? 0),
  )[0];
  if (!standby) throw new HcloudError(step, "not_found", hcloud.noStandby(spec.name));
  for (const s of [live[0]!, standby])
    if (!(await hasHostKey(env, s.name)))
      throw new HcloudError(step, "no_host_key", hcloud.noPinnedKey(s.name, env.knownHosts));
  return { live: live[0]!, standby, fip: await r.floatingIpByName(env.hc, spec.floatingIp.name) };
}

interface RollbackState {
  remote?: Remote;
  liveRemote?: Remote;
  /** Dropped when the roles swap: from then on no failure undoes the rollback. */
  undo: (() => void)[];
}

function rollbackSteps(env: Env, spec: StackSpec, p: RollbackPlan, windowMs: number): Step[] {
  const st: RollbackState = { undo: [] };
  return [...wakeStandby(env, spec, p, st), ...moveBack(env, spec, p, st), ...swapRoles(env, spec, p, windowMs, st)];
}

/** The standby server and its stack up and healthy, while the current server still serves. */
function wakeStandby(env: Env, spec: StackSpec, p: RollbackPlan, st: RollbackState): Step[] {
  const { hc } = env;
  return [
    {
      title: `start ${p.standby.name}`,
      run: async (ctx) => {
        st.undo.push(
          ctx.onCleanup({
            title: `power off ${p.standby.name} again`,
            byHand: `hcloud server shutdown ${p.standby.id}`,
            run: () => r.shutdown(hc, p.standby.id),
          }),
        );
        await r.power(hc, p.standby.id, "poweron");
      },
    },
    {
      title: `wait for SSH on ${p.standby.name}`,
      run: async () => ((st.remote = connect(env, spec, p.standby)), await waitSsh(env, st.remote)),
    },
    {
      title: `start the stack on ${p.standby.name}`,
      run: async () => void (await mustExec(st.remote!, "starting the stack", rs.STACK_START)),
    },
    {
      title: `wait for health on ${p.standby.name}`,
      run: () => waitForHealth(st.remote!, hc.clock, env.signal, spec.health.timeoutMs),
    },
  ];
}

/** Writes stop on the current server and the Floating IP goes back to the standby. */
function moveBack(env: Env, spec: StackSpec, p: RollbackPlan, st: RollbackState): Step[] {
  const { hc } = env;
  return [
    {
      title: `stop writes: stop the stack on ${p.live.name}`,
      run: async (ctx) => {
        st.liveRemote = connect(env, spec, p.live);
        st.undo.push(
          ctx.onCleanup({
            title: `start the stack on ${p.live.name} again`,
            byHand: `ssh ${spec.sshUser}@${p.live.public_net.ipv4?.ip} ${rs.STACK_START}`,
            run: async () => void (await mustExec(st.liveRemote!, "starting the stack", rs.STACK_START)),
          }),
        );
        await mustExec(st.liveRemote, "stopping the stack", rs.STACK_STOP);
      },
    },
    {
      title: `move Floating IP ${p.fip.name} to ${p.standby.name}`,
      run: async (ctx) => {
        st.undo.push(
          ctx.onCleanup({
            title: `move Floating IP ${p.fip.name} back to ${p.live.name}`,
            byHand: `hcloud floating-ip assign ${p.fip.id} ${p.live.id}`,
            run: () => r.assignFloatingIp(hc, p.fip.id, p.live.id),
          }),
        );
        await r.assignFloatingIp(hc, p.fip.id, p.standby.id);
      },
    },
    {
      title: "check the stack through the Floating IP",
      run: () => waitForHealth(connect(env, spec, p.standby, p.fip.ip), hc.clock, env.signal, 120_000),
    },
  ];
}

function swapRoles(env: Env, spec: StackSpec, p: RollbackPlan, windowMs: number, st: RollbackState): Step[] {
  const { hc } = env;
  return [
    {
      title: `mark ${p.standby.name} live, ${p.live.name} standby`,
      run: async () => {
        await r.setLabels(hc, p.standby.id, { [r.LABEL.stack]: spec.name, [r.LABEL.role]: "live" });
        for (const u of st.undo) u();
        const until = String(Math.floor((hc.clock.now() + windowMs) / 1000));
        await r.setLabels(hc, p.live.id, {
          [r.LABEL.stack]: spec.name,
          [r.LABEL.role]: "standby",
          [r.LABEL.standbyUntil]: until,
        });
      },
    },
    { title: `power off ${p.live.name} (kept for rollback)`, run: () => r.shutdown(hc, p.live.id) },
  ];
}

export async function rollback(env: Env, spec: StackSpec, plan: RollbackPlan, windowMs: number): Promise<StepsResult> {
  return runSteps(rollbackSteps(env, spec, plan, windowMs), {
    signal: env.signal,
    progress: env.progress,
    clock: env.hc.clock,
    beforeCleanups: () => env.hc.detachSignal(),
  });
}
