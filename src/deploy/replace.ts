// replace (blue/green): the new server boots from the snapshot with its stack held, a backup
// made now on the old server is restored on it (proving the backup) and the data is copied
// across with rsync, all while the old server still serves. Then writes stop on the old server,
// a final rsync pass carries what changed meanwhile, the new stack starts, its health is checked
// over SSH and HTTP, the Floating IP moves and is checked. Without rsync on the old server
// (made by an older firstboot) the freeze holds a final backup and its restore instead. Until
// the check through the Floating IP passes every failure deletes the new server and restarts
// the old stack. The old server is kept powered off for `firstboot rollback`.
import * as r from "../hcloud/resources.js";
import * as rs from "./remote-steps.js";
import { connect, hostKeyFor, imageRef, waitForHealth, waitForHttp, waitSsh, type StackSpec } from "./stack.js";
import { bootServerStep } from "./server-step.js";
import { runSteps, type Step } from "./steps.js";
import { tempDir, type Env } from "./workflow.js";
import { freezeSteps, keep, prepare, type ReplaceState } from "./replace-data.js";
import { deleteExpiredStandbys } from "./gc.js";

export { planReplace, planText, type ReplaceOptions, type ReplacePlan, type ReplaceResult } from "./replace-plan.js";
import type { ReplaceOptions, ReplacePlan, ReplaceResult } from "./replace-plan.js";

function bootNew(env: Env, spec: StackSpec, plan: ReplacePlan, dir: string, s: ReplaceState): Step[] {
  const { hc } = env;
  const labels = {
    [r.LABEL.stack]: spec.name,
    [r.LABEL.role]: "candidate",
    [r.LABEL.temporary]: "true",
    [r.LABEL.run]: env.runId,
  };
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
          labels,
          start_after_create: true,
        };
      },
      booted: (server) => void (s.server = server),
      // Dropped at the commit (finish): from then on no failure deletes the new server.
      registered: (drop) => void s.undo.push(drop),
    }),
    {
      title: "wait for SSH on the new server (host key checked)",
      run: async () => ((s.remote = connect(env, spec, s.server!)), await waitSsh(env, s.remote)),
    },
    { title: "wait for cloud-init on the new server", run: () => rs.waitForCloudInit(s.remote!, undefined, hc.clock) },
    {
      title: "wait for the new server's first boot",
      run: async () => void (await rs.waitForBootStatus(s.remote!, hc.clock, env.signal)),
    },
  ];
}

function switchOver(env: Env, spec: StackSpec, plan: ReplacePlan, s: ReplaceState): Step[] {
  const { hc } = env;
  const steps: Step[] = [];
  steps.push({
    title: "start the stack on the new server and wait for health (SSH)",
    run: () => waitForHealth(s.remote!, hc.clock, env.signal, spec.health.timeoutMs, true),
  });
  if (spec.httpCheck)
    steps.push({
      title: "check HTTP on the new server's own IP",
      run: () => waitForHttp(env, `http://${s.server!.public_net.ipv4?.ip}/`, 120_000),
    });
  steps.push(
    {
      title: `move Floating IP ${plan.fip.name} to the new server`,
      run: async (ctx) => {
        keep(s, ctx, {
          title: `move Floating IP ${plan.fip.name} back to ${plan.old.name}`,
          byHand: `hcloud floating-ip assign ${plan.fip.id} ${plan.old.id}`,
          run: () => r.assignFloatingIp(hc, plan.fip.id, plan.old.id),
        });
        await r.assignFloatingIp(hc, plan.fip.id, s.server!.id);
        s.movedAt = hc.clock.now();
      },
    },
    {
      title: "check the stack through the Floating IP",
      run: async () => {
        // Same host key alias as the new server: a pass proves the IP reaches the new server.
        await waitForHealth(connect(env, spec, s.server!, plan.fip.ip), hc.clock, env.signal, 120_000);
        if (spec.httpCheck) await waitForHttp(env, `http://${plan.fip.ip}/`, 120_000);
      },
    },
  );
  return steps;
}

function finish(env: Env, spec: StackSpec, plan: ReplacePlan, opts: ReplaceOptions, s: ReplaceState): Step[] {
  const { hc } = env;
  const until = Math.floor((hc.clock.now() + opts.rollbackWindowMs) / 1000);
  return [
    {
      title: `mark ${plan.newName} live, ${plan.old.name} standby`,
      run: async () => {
        // Dropping the temporary label is the commit: from here on the new server is the stack.
        await r.setLabels(hc, s.server!.id, { [r.LABEL.stack]: spec.name, [r.LABEL.role]: "live" });
        for (const u of s.undo) u();
        await r.setLabels(hc, plan.old.id, {
          [r.LABEL.stack]: spec.name,
          [r.LABEL.role]: "standby",
          [r.LABEL.standbyUntil]: String(until),
        });
      },
    },
    { title: `power off ${plan.old.name} (kept for rollback)`, run: () => r.shutdown(hc, plan.old.id) },
    {
      title: "delete standby servers past their rollback window",
      run: async (ctx) => void (await deleteExpiredStandbys(env, spec.name, [plan.old.id], ctx)),
    },
  ];
}

export async function replace(
  env: Env,
  spec: StackSpec,
  plan: ReplacePlan,
  opts: ReplaceOptions,
): Promise<ReplaceResult> {
  const tmp = await tempDir();
  const s: ReplaceState = { undo: [] };
  const steps = [
    ...bootNew(env, spec, plan, tmp.dir, s),
    ...prepare(env, spec, plan, s),
    ...freezeSteps(env, spec, plan, opts, s),
    ...switchOver(env, spec, plan, s),
    ...finish(env, spec, plan, opts, s),
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
