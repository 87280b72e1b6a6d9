// Finishing or undoing an interrupted up, replace or rollback: read the stack's labels, plan
// (recover-plan.ts), run the plan's idempotent actions in order and stop at the first failure,
// naming what is left to do by hand. Used by `firstboot status` (plan only), `firstboot recover`,
// and at the start of replace and rollback.
import * as r from "../hcloud/resources.js";
import { HcloudError } from "../hcloud/errors.js";
import { mustExec } from "../ssh/index.js";
import { cutover as msg } from "../catalogue.js";
import { BACKUP_PROMOTE, STACK_START } from "./remote-steps.js";
import { ensureFloatingIp, ensureOff } from "./cutover.js";
import { recoveryPlan, type Action, type Recovery, type StackView } from "./recover-plan.js";
import { connect, waitSsh, type StackSpec } from "./stack.js";
import type { Env } from "./workflow.js";

export { recoveryPlan, type Action, type Recovery, type StackView } from "./recover-plan.js";

export interface RecoverResult {
  ok: boolean;
  state: string[];
  did: string[];
  byHand: string[];
}

/** What a recovery needs to reach a server over SSH; gc has no config and so cannot. */
export type SshSpec = Pick<StackSpec, "sshUser" | "sshPort" | "backups">;

const notFound = (e: unknown): undefined => {
  if (e instanceof HcloudError && e.code === "not_found") return undefined;
  throw e;
};

export async function inspectStack(env: Env, stack: string, fipName?: string): Promise<StackView> {
  const servers = await r.listServers(env.hc, r.selector({ [r.LABEL.stack]: stack }));
  // A Floating IP the config names but the project lacks is not this recovery's to fix: up says so.
  const fip = fipName ? await r.floatingIpByName(env.hc, fipName).catch(notFound) : undefined;
  return { stack, servers, fip, nowMs: env.hc.clock.now() };
}

export function describe(a: Action): string {
  switch (a.kind) {
    case "start-stack":
      return msg.doStart(a.server.name);
    case "promote":
      return msg.doPromote(a.server.name);
    case "assign-fip":
      return msg.doAssign(a.fip.name, a.server.name);
    case "label":
      return msg.doLabel(a.server.name, a.why);
    case "power-off":
      return msg.doPowerOff(a.server.name);
    case "delete":
      return msg.doDelete(a.server.name, a.server.id, a.why);
    case "by-hand":
      return a.text;
  }
}

function byHandFor(a: Action, spec?: SshSpec): string {
  switch (a.kind) {
    case "start-stack":
      return `ssh -p ${spec?.sshPort ?? 22} ${spec?.sshUser ?? "<admin>"}@${a.server.public_net.ipv4?.ip} ${STACK_START}`;
    case "promote":
      return `ssh -p ${spec?.sshPort ?? 22} ${spec?.sshUser ?? "<admin>"}@${a.server.public_net.ipv4?.ip} ${BACKUP_PROMOTE}`;
    case "assign-fip":
      return `hcloud floating-ip assign ${a.fip.id} ${a.server.id}`;
    case "power-off":
      return `hcloud server shutdown ${a.server.id}`;
    case "delete":
      return `hcloud server delete ${a.server.id}`;
    default:
      return msg.recoverAgain();
  }
}

async function runAction(env: Env, a: Action, spec: SshSpec): Promise<void> {
  const { hc } = env;
  switch (a.kind) {
    case "start-stack": {
      const remote = connect(env, spec, a.server);
      await waitSsh(env, remote, 5 * 60_000);
      return void (await mustExec(remote, "starting the stack", STACK_START, 15 * 60_000));
    }
    case "promote":
      if (!spec.backups) return;
      return void (await mustExec(connect(env, spec, a.server), "promoting its backups", BACKUP_PROMOTE, 5 * 60_000));
    case "assign-fip":
      return ensureFloatingIp(env, a.fip, a.server.id);
    case "label":
      return r.setLabels(hc, a.server.id, a.labels);
    case "power-off":
      return ensureOff(env, a.server.id);
    case "delete":
      return r.gone(r.deleteServer(hc, a.server.id));
    case "by-hand":
      return;
  }
}

/** Runs the plan; without `spec` (gc has no config) it stops before anything that needs SSH. */
export async function runRecovery(env: Env, plan: Recovery, spec?: SshSpec): Promise<RecoverResult> {
  const res: RecoverResult = { ok: true, state: plan.state, did: [], byHand: [] };
  const todo = plan.actions.filter((a) => a.kind !== "by-hand");
  res.byHand.push(...plan.actions.filter((a) => a.kind === "by-hand").map(describe));
  for (const [i, a] of todo.entries()) {
    const rest = todo.slice(i).map((x) => `${describe(x)}: ${byHandFor(x, spec)}`);
    if ((a.kind === "start-stack" || a.kind === "promote") && !spec)
      return { ...res, ok: false, byHand: [...res.byHand, msg.needsConfig()] };
    env.progress.emit({ type: "step", step: describe(a), status: "start" });
    try {
      await runAction(env, a, spec!);
      env.progress.emit({ type: "step", step: describe(a), status: "ok", elapsedMs: 0 });
      res.did.push(describe(a));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      env.progress.emit({ type: "step", step: describe(a), status: "failed", elapsedMs: 0, message: why });
      return { ...res, ok: false, byHand: [...res.byHand, msg.actionFailed(describe(a), why), ...rest] };
    }
  }
  return { ...res, ok: res.byHand.length === 0 };
}

/** What finishes or undoes an interrupted run of this stack, read from the API now. */
export async function planRecovery(env: Env, spec: StackSpec, minAgeMs = 0): Promise<Recovery> {
  return recoveryPlan(await inspectStack(env, spec.name, spec.floatingIp?.name), minAgeMs);
}

/** Plans and runs the recovery of one stack. */
export async function recoverStack(env: Env, spec: StackSpec, minAgeMs = 0): Promise<RecoverResult> {
  return runRecovery(env, await planRecovery(env, spec, minAgeMs), spec);
}
