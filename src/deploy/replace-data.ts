// replace's data move from the old server to the new one: a backup restored on the new server
// and a first rsync pass while the old server serves, then the freeze (writes stop on the old
// server) with a final pass, or without rsync a final backup and restore.
import * as r from "../hcloud/resources.js";
import * as rs from "./remote-steps.js";
import { mustExec, type Remote } from "../ssh/index.js";
import { connect, type StackSpec } from "./stack.js";
import type { Step, StepContext } from "./steps.js";
import type { Env } from "./workflow.js";
import { CLOCK_READ, copyData, syncSources, touchRecentScript, volumesCommand, type SyncStats } from "./sync.js";
import type { ReplaceOptions, ReplacePlan } from "./replace-plan.js";
import { markFrozen, unfreezeCleanup } from "./cutover.js";

export interface ReplaceState {
  server?: r.Server;
  remote?: Remote;
  oldRemote?: Remote;
  archive?: string;
  sources?: string[];
  /** The old server's clock (s) when the first copy began: files written since get compared again. */
  copiedSince?: number;
  frozenAt?: number;
  movedAt?: number;
  /** Dropped at the commit: from then on no failure deletes the new server or restarts the old stack. */
  undo: (() => void)[];
}

/** Registers a cleanup that holds only until the commit. */
export function keep(s: ReplaceState, ctx: StepContext, c: Parameters<StepContext["onCleanup"]>[0]): void {
  s.undo.push(ctx.onCleanup(c));
}

/** A backup on the old server; its archive name is what the restore below takes. */
function backupStep(env: Env, spec: StackSpec, plan: ReplacePlan, s: ReplaceState, title: string): Step {
  return {
    title,
    run: async (ctx) => {
      s.oldRemote ??= connect(env, spec, plan.old);
      s.archive = (await rs.runBackup(s.oldRemote)) ?? "latest";
      ctx.note(`backup: ${s.archive}`);
    },
  };
}

function restoreStep(s: ReplaceState, title: string): Step {
  return {
    title,
    run: async () =>
      void (await mustExec(s.remote!, "the restore", rs.restoreCommand(s.archive ?? "latest"), 60 * 60_000)),
  };
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const copied = (x: SyncStats) => `${x.files} files changed, ${mib(x.literalBytes)} sent of ${mib(x.totalBytes)}`;

/** While the old server serves: a backup made now, restored on the new server, then the first copy. */
export function prepare(env: Env, spec: StackSpec, plan: ReplacePlan, s: ReplaceState): Step[] {
  const steps: Step[] = [
    backupStep(env, spec, plan, s, `back up ${plan.old.name} (it keeps serving)`),
    restoreStep(s, "restore that backup on the new server (health-checked)"),
  ];
  if (!plan.sync) return steps;
  steps.push({
    title: `copy the data from ${plan.old.name} with rsync (it keeps serving)`,
    run: async (ctx) => {
      await mustExec(s.remote!, "stopping the new stack for the copy", rs.STACK_STOP);
      s.copiedSince = Number((await mustExec(s.oldRemote!, "reading the old server's clock", CLOCK_READ)).trim()) - 2;
      const [oldVols, newVols] = await Promise.all([
        mustExec(s.oldRemote!, "listing volumes", volumesCommand(spec.name)),
        mustExec(s.remote!, "listing volumes", volumesCommand(spec.name)),
      ]);
      s.sources = syncSources(oldVols, newVols, spec.dataDirs);
      if (s.sources.length === 0) return ctx.note("no volumes or data dirs to copy");
      ctx.note(copied(await copyData(s.oldRemote!, s.remote!, s.sources, { signal: env.signal })));
    },
  });
  return steps;
}

export function freezeSteps(
  env: Env,
  spec: StackSpec,
  plan: ReplacePlan,
  opts: ReplaceOptions,
  s: ReplaceState,
): Step[] {
  if (!opts.freeze) return [];
  const { hc } = env;
  const stop = (copy: boolean): Step => ({
    title: copy
      ? `stop writes on ${plan.old.name} and copy what changed since the first copy`
      : `stop writes: stop the stack on ${plan.old.name}`,
    run: async (ctx) => {
      // The undo first (it is idempotent: a label PUT whose answer was lost may have applied),
      // then the label: a run killed in the freeze leaves a mark the next command acts on.
      keep(
        s,
        ctx,
        unfreezeCleanup(env, spec, plan.old, () => s.oldRemote!),
      );
      await markFrozen(env, plan.old);
      s.frozenAt = hc.clock.now();
      if (!copy || !s.sources?.length)
        return void (await mustExec(s.oldRemote!, "stopping the old stack", rs.STACK_STOP));
      // The stop runs in the copy's own root shell on the old server: no extra login in the freeze.
      const before = [rs.STACK_STOP_ROOT, touchRecentScript(s.sources, s.copiedSince ?? 0)];
      ctx.note(copied(await copyData(s.oldRemote!, s.remote!, s.sources, { before, signal: env.signal })));
    },
  });
  if (plan.sync) return [stop(true)];
  return [
    stop(false),
    backupStep(env, spec, plan, s, `final backup on ${plan.old.name}`),
    restoreStep(s, "restore the final backup on the new server"),
  ];
}
