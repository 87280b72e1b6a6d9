// rollback: undo the last replace while its old server is still kept. Start the newest standby
// and its stack, check its health, stop writes on the current server, then the same commit and
// roll-forward as replace (cutover-steps.ts): the standby becomes live, the Floating IP moves back,
// the current server becomes the standby. Writes made on it since the replace are not carried back.
import * as r from "../hcloud/resources.js";
import { HcloudError } from "../hcloud/errors.js";
import * as rs from "./remote-steps.js";
import { mustExec, type Remote } from "../ssh/index.js";
import { connect, hasHostKey, liveSelector, waitForHealth, waitSsh, type StackSpec } from "./stack.js";
import { runSteps, type Step, type StepsResult } from "./steps.js";
import type { Env } from "./workflow.js";
import { hcloud } from "../catalogue.js";
import { checkFloatingIp, markFrozen, unfreezeCleanup } from "./cutover.js";
import { commitStep, rollForwardSteps, type Cutover } from "./cutover-steps.js";

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
  const standby = newestStandby(standbys);
  if (!standby) throw new HcloudError(step, "not_found", hcloud.noStandby(spec.name));
  for (const s of [live[0]!, standby])
    if (!(await hasHostKey(env, s.name)))
      throw new HcloudError(step, "no_host_key", hcloud.noPinnedKey(s.name, env.knownHosts));
  const fip = await r.floatingIpByName(env.hc, spec.floatingIp.name);
  checkFloatingIp(fip, spec.floatingIp.ip, [live[0]!, standby], step);
  return { live: live[0]!, standby, fip };
}

/** The server that was live most recently: the latest demotion (older firstboots: the latest created). */
export function newestStandby(standbys: readonly r.Server[]): r.Server | undefined {
  const demoted = (s: r.Server) => Number(s.labels[r.LABEL.demotedAt] ?? 0);
  return [...standbys].sort((a, b) => demoted(b) - demoted(a) || Date.parse(b.created) - Date.parse(a.created))[0];
}

interface RollbackState {
  remote?: Remote;
  liveRemote?: Remote;
  /** Dropped when the roles swap: from then on no failure undoes the rollback. */
  undo: (() => void)[];
}

function rollbackSteps(env: Env, spec: StackSpec, p: RollbackPlan, windowMs: number): Step[] {
  const st: RollbackState = { undo: [] };
  const c: Cutover = {
    winner: () => p.standby,
    winnerName: p.standby.name,
    loser: p.live,
    fip: p.fip,
    untilS: Math.floor((env.hc.clock.now() + windowMs) / 1000),
    undo: st.undo,
  };
  return [
    ...wakeStandby(env, spec, p, st),
    freeze(env, spec, p, st),
    commitStep(env, spec, c),
    ...rollForwardSteps(env, spec, c),
  ];
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

/** Writes stop on the current server (marked frozen first, so a crash here is visible). */
function freeze(env: Env, spec: StackSpec, p: RollbackPlan, st: RollbackState): Step {
  return {
    title: `stop writes: stop the stack on ${p.live.name}`,
    run: async (ctx) => {
      st.liveRemote = connect(env, spec, p.live);
      st.undo.push(ctx.onCleanup(unfreezeCleanup(env, spec, p.live, () => st.liveRemote!)));
      await markFrozen(env, p.live);
      await mustExec(st.liveRemote, "stopping the stack", rs.STACK_STOP);
    },
  };
}

export async function rollback(env: Env, spec: StackSpec, plan: RollbackPlan, windowMs: number): Promise<StepsResult> {
  return runSteps(rollbackSteps(env, spec, plan, windowMs), {
    signal: env.signal,
    progress: env.progress,
    clock: env.hc.clock,
    beforeCleanups: () => env.hc.detachSignal(),
  });
}
