// The commit and everything after it, as steps shared by replace and rollback. Before the commit
// step the registered cleanups undo the run; the commit drops them, so from then on a failure or
// Ctrl-C leaves the new server live and says how to finish (`firstboot recover` rolls forward).
import * as r from "../hcloud/resources.js";
import { cutover as msg } from "../catalogue.js";
import {
  commit,
  commitLabels,
  CommitUnknownError,
  ensureFloatingIp,
  ensureOff,
  settledLabels,
  standbyLabels,
} from "./cutover.js";
import { fipAddress, urlHost } from "./fip-address.js";
import { connect, waitForHealth, waitForHttp, type StackSpec } from "./stack.js";
import { BACKUP_PROMOTE } from "./remote-steps.js";
import { mustExec } from "../ssh/index.js";
import type { Cleanup, Step, StepContext } from "./steps.js";
import type { Labels } from "../hcloud/client.js";
import { recoverStack } from "./recover.js";
import type { Env } from "./workflow.js";

export interface Cutover {
  /** The server becoming live; read when the steps run (replace creates it on the way). */
  winner: () => r.Server;
  /** For step titles, known before the winner exists. */
  winnerName: string;
  loser: r.Server;
  fip: r.FloatingIp;
  /** When the demoted server's rollback window ends (unix s). */
  untilS: number;
  /** Drops the undo cleanups: called once the commit is certain (or unknowable). */
  undo: (() => void)[];
  /** Set when the Floating IP points at the winner (downtime ends). */
  moved?: (at: number) => void;
}

/**
 * From the commit on, a failure's cleanup is the recovery itself: it reads the labels and rolls
 * forward (or, when the commit's outcome was unknown, finishes or undoes by what it finds).
 */
export function recoverCleanup(env: Env, spec: StackSpec, what: string): Cleanup {
  return {
    title: msg.finishTitle(),
    byHand: `firstboot recover  # ${what}`,
    run: async () => {
      const res = await recoverStack(env, spec);
      if (!res.ok) throw new Error(res.byHand.join("; "));
    },
  };
}

/**
 * The commit, and the hand-over of the cleanups: once it is certain (or unknowable) the undo
 * cleanups are dropped and the recovery becomes the cleanup. A certain "not committed" keeps them.
 */
export async function commitAndHandOver(
  env: Env,
  spec: StackSpec,
  ctx: StepContext,
  c: { serverId: number; labels: Labels; oldId?: number; undo: (() => void)[]; what: string },
): Promise<void> {
  const handOver = () => {
    for (const u of c.undo.splice(0)) u();
    ctx.onCleanup(recoverCleanup(env, spec, c.what));
  };
  try {
    await commit(env, c.serverId, c.labels, c.oldId);
  } catch (e) {
    if (e instanceof CommitUnknownError) handOver();
    throw e;
  }
  handOver();
}

export function commitStep(env: Env, spec: StackSpec, c: Cutover): Step {
  return {
    title: `commit: mark ${c.winnerName} live (supersedes ${c.loser.name})`,
    run: async (ctx) => {
      const w = c.winner();
      await commitAndHandOver(env, spec, ctx, {
        serverId: w.id,
        labels: commitLabels(spec.name, env.runId, { id: c.loser.id, untilS: c.untilS }),
        oldId: c.loser.id,
        undo: c.undo,
        what: msg.cutoverIds(spec.name, [w, c.loser], c.fip),
      });
    },
  };
}

/** A step after the commit: its failure says the run is committed and how to finish it. */
export function forward(name: string, step: Step): Step {
  return {
    title: step.title,
    run: async (ctx) => {
      try {
        await step.run(ctx);
      } catch (e) {
        throw new Error(msg.committedFailed(name, e instanceof Error ? e.message : String(e)), { cause: e });
      }
    },
  };
}

/** The live server's backups become the live generation: its archives are what `restore: latest` takes. */
export function promoteSteps(env: Env, spec: StackSpec, server: () => r.Server, name: string): Step[] {
  if (!spec.backups) return [];
  return [
    {
      title: `make ${name}'s backups the live generation`,
      run: async () => void (await mustExec(connect(env, spec, server()), "promoting its backups", BACKUP_PROMOTE)),
    },
  ];
}

export function rollForwardSteps(env: Env, spec: StackSpec, c: Cutover): Step[] {
  const { hc } = env;
  const host = fipAddress(spec.floatingIp?.ip ?? c.fip.ip);
  const name = c.winnerName;
  const steps: Step[] = [
    {
      title: `move Floating IP ${c.fip.name} to ${name}`,
      run: async () => {
        await ensureFloatingIp(env, c.fip, c.winner().id);
        c.moved?.(hc.clock.now());
      },
    },
    {
      title: "check the stack through the Floating IP",
      run: async () => {
        // Same host key alias as the new server: a pass proves the IP reaches the new server.
        await waitForHealth(connect(env, spec, c.winner(), host), hc.clock, env.signal, 120_000);
        if (spec.httpCheck) await waitForHttp(env, `http://${urlHost(host)}/`, 120_000);
      },
    },
    {
      title: `demote ${c.loser.name} to standby`,
      run: () => r.setLabels(hc, c.loser.id, standbyLabels(spec.name, c.untilS, Math.floor(hc.clock.now() / 1000))),
    },
    { title: `settle ${name} as the live server`, run: () => r.setLabels(hc, c.winner().id, settledLabels(spec.name)) },
    { title: `power off ${c.loser.name} (kept for rollback)`, run: () => ensureOff(env, c.loser.id) },
    // Last: a backup target that does not answer must not hold up the cutover itself.
    ...promoteSteps(env, spec, c.winner, name),
  ];
  return steps.map((s) => forward(name, s));
}
