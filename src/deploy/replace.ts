// replace (blue/green): the new server boots from the snapshot with its stack held, a backup
// made now on the old server is restored on it (proving the backup) and the data is copied
// across with rsync, all while the old server still serves. Then writes stop on the old server,
// a final rsync pass carries what changed meanwhile, the new stack starts, its health is checked
// over SSH and HTTP on its own IP. Without rsync on the old server (made by an older firstboot)
// the freeze holds a final backup and its restore instead. Then the commit (cutover.ts): before
// it every failure deletes the new server and restarts the old stack; after it the Floating IP
// moves and the old server is demoted and kept powered off for `firstboot rollback`, and a
// failure leaves the new server live for `firstboot recover` to finish.
import * as rs from "./remote-steps.js";
import { connect, hostKeyFor, imageRef, waitForHealth, waitForHttp, waitSsh, type StackSpec } from "./stack.js";
import { candidateLabels } from "./cutover.js";
import { commitStep, rollForwardSteps, type Cutover } from "./cutover-steps.js";
import { bootServerStep } from "./server-step.js";
import { runSteps, type Step } from "./steps.js";
import { tempDir, type Env } from "./workflow.js";
import { freezeSteps, prepare, type ReplaceState } from "./replace-data.js";
import { deleteExpiredStandbys } from "./gc.js";

export { planReplace, planText, type ReplaceOptions, type ReplacePlan, type ReplaceResult } from "./replace-plan.js";
import type { ReplaceOptions, ReplacePlan, ReplaceResult } from "./replace-plan.js";

function bootNew(env: Env, spec: StackSpec, plan: ReplacePlan, dir: string, s: ReplaceState): Step[] {
  const { hc } = env;
  return [
    bootServerStep(hc, {
      title: `create server ${plan.newName} (stack held)`,
      request: async () => {
        const hostKeys = await hostKeyFor(env, dir, plan.newName);
        const userData = await spec.render(hostKeys, { holdStack: true });
        return {
          name: plan.newName,
          server_type: spec.serverType,
          image: imageRef(plan.image),
          location: spec.location,
          user_data: userData,
          labels: candidateLabels(spec.name, env.runId),
          start_after_create: true,
        };
      },
      booted: (server) => void (s.server = server),
      // Dropped at the commit: from then on no failure deletes the new server.
      registered: (drop) => void s.undo.push(drop),
    }),
    {
      title: "wait for SSH on the new server (host key checked)",
      run: async () => ((s.remote = connect(env, spec, s.server!)), await waitSsh(env, s.remote)),
    },
    {
      title: "wait for cloud-init on the new server",
      run: (ctx) => rs.waitForCloudInit(s.remote!, undefined, hc.clock, ctx.signal),
    },
    {
      title: "wait for the new server's first boot",
      run: async () => void (await rs.waitForBootStatus(s.remote!, hc.clock, env.signal)),
    },
  ];
}

/** Still before the commit: the new stack is started and checked on the new server's own IP. */
function startNew(env: Env, spec: StackSpec, s: ReplaceState): Step[] {
  const { hc } = env;
  const steps: Step[] = [
    {
      title: "start the stack on the new server and wait for health (SSH)",
      run: () => waitForHealth(s.remote!, hc.clock, env.signal, spec.health.timeoutMs, true),
    },
  ];
  if (spec.httpCheck)
    steps.push({
      title: "check HTTP on the new server's own IP",
      run: () => waitForHttp(env, `http://${s.server!.public_net.ipv4?.ip}/`, 120_000),
    });
  return steps;
}

function cutoverOf(env: Env, plan: ReplacePlan, opts: ReplaceOptions, s: ReplaceState): Cutover {
  return {
    winner: () => s.server!,
    winnerName: plan.newName,
    loser: plan.old,
    fip: plan.fip,
    untilS: Math.floor((env.hc.clock.now() + opts.rollbackWindowMs) / 1000),
    undo: s.undo,
    moved: (at) => void (s.movedAt = at),
  };
}

function finish(env: Env, spec: StackSpec, plan: ReplacePlan): Step {
  return {
    title: "delete standby servers past their rollback window",
    run: async (ctx) => void (await deleteExpiredStandbys(env, spec.name, [plan.old.id], ctx)),
  };
}

export async function replace(
  env: Env,
  spec: StackSpec,
  plan: ReplacePlan,
  opts: ReplaceOptions,
): Promise<ReplaceResult> {
  const tmp = await tempDir();
  const s: ReplaceState = { undo: [] };
  const c = cutoverOf(env, plan, opts, s);
  const steps = [
    ...bootNew(env, spec, plan, tmp.dir, s),
    ...prepare(env, spec, plan, s),
    ...freezeSteps(env, spec, plan, opts, s),
    ...startNew(env, spec, s),
    commitStep(env, spec, c),
    ...rollForwardSteps(env, spec, c),
    finish(env, spec, plan),
  ];
  const res = await runSteps(steps, {
    signal: env.signal,
    progress: env.progress,
    clock: env.hc.clock,
    finally: [tmp.cleanup],
    beforeCleanups: () => env.hc.detachSignal(),
  });
  const downtimeMs = s.movedAt !== undefined ? s.movedAt - (s.frozenAt ?? s.movedAt) : undefined;
  return { ...res, downtimeMs, server: s.server };
}
