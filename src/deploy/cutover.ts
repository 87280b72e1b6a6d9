// The cutover protocol shared by up, replace, rollback and recover, written in server labels so
// any crash leaves a state the next command can read. The only durable commit point is one label
// PUT (atomic in the API) that makes the new server live and names the server it supersedes.
// Before it the old server is the truth and everything new may be undone; after it the new server
// is the truth and every later step (Floating IP, demotion, power-off) rolls forward, never back.
//   old live server:  role=frozen, firstboot/frozen=<run>   while the cutover has its stack stopped
//   new server:       role=candidate, temporary  until the commit
//   commit:           new server role=live, supersedes=<old id>, standby-until=<old's window>
//   then:             Floating IP -> new; old role=standby; new settled (plain role=live); old off
// At no moment are two servers live; a crash leaves one of: frozen + candidate (undo), frozen +
// live superseding it (roll forward), live still naming what it superseded (settle).
import type { Labels } from "../hcloud/client.js";
import { HcloudError } from "../hcloud/errors.js";
import * as r from "../hcloud/resources.js";
import { cutover as msg, hcloud } from "../catalogue.js";
import type { Env } from "./workflow.js";
import type { Cleanup } from "./steps.js";
import type { StackSpec } from "./stack.js";
import { sameFloatingIp } from "./fip-address.js";
import { mustExec, type Remote } from "../ssh/index.js";
import { STACK_START } from "./remote-steps.js";

type SshSpec = Pick<StackSpec, "sshUser" | "sshPort">;

const L = r.LABEL;

/** Labels of a new server until the commit: gc may delete it, nothing routes to it. */
export function candidateLabels(stack: string, runId: string): Labels {
  return { [L.stack]: stack, [L.role]: "candidate", [L.temporary]: "true", [L.run]: runId };
}

export function settledLabels(stack: string): Labels {
  return { [L.stack]: stack, [L.role]: "live" };
}

export function standbyLabels(stack: string, untilS: number, nowS: number): Labels {
  return {
    [L.stack]: stack,
    [L.role]: "standby",
    [L.standbyUntil]: String(untilS),
    [L.demotedAt]: String(nowS),
  };
}

/** What the commit writes on the new server; `old` absent for a first server (up). */
export function commitLabels(stack: string, runId: string, old?: { id: number; untilS: number }): Labels {
  if (!old) return settledLabels(stack);
  return {
    ...settledLabels(stack),
    [L.run]: runId,
    [L.supersedes]: String(old.id),
    [L.standbyUntil]: String(old.untilS),
  };
}

export function isCommitted(s: Pick<r.Server, "labels">, oldId?: number): boolean {
  const l = s.labels;
  return l[L.role] === "live" && !l[L.temporary] && (oldId === undefined || l[L.supersedes] === String(oldId));
}

/** Thrown when the commit's outcome cannot be read back: nothing may be undone, nothing assumed. */
export class CommitUnknownError extends Error {}

/**
 * The commit point. A PUT whose answer is lost may have taken effect: the labels are read back,
 * and only a server that is certainly not live is reported as not committed (the caller undoes).
 */
export async function commit(env: Env, serverId: number, labels: Labels, oldId?: number): Promise<void> {
  try {
    await r.setLabels(env.hc, serverId, labels);
  } catch (e) {
    const now = await r.getServer(env.hc, serverId).catch(() => undefined);
    if (now && isCommitted(now, oldId)) return;
    if (now) throw e;
    throw new CommitUnknownError(msg.commitUnknown(serverId, e instanceof Error ? e.message : String(e)));
  }
}

/**
 * The old live server stops being live before its stack stops: no moment has two live servers,
 * and a crash in the freeze leaves a `frozen` server the next command starts again.
 */
export async function markFrozen(env: Env, server: r.Server): Promise<void> {
  await r.setLabels(env.hc, server.id, { ...server.labels, [L.role]: "frozen", [L.frozen]: env.runId });
}

export async function clearFrozen(env: Env, server: r.Server): Promise<void> {
  const { [L.frozen]: _, ...rest } = (await r.getServer(env.hc, server.id)).labels;
  await r.setLabels(env.hc, server.id, { ...rest, [L.role]: "live" });
}

/** Moves the Floating IP unless it is already there (a repeat after a lost answer is harmless). */
export async function ensureFloatingIp(env: Env, fip: r.FloatingIp, serverId: number): Promise<void> {
  const now = (await r.floatingIpByName(env.hc, fip.name)).server;
  if (now === serverId) return;
  await r.assignFloatingIp(env.hc, fip.id, serverId);
}

/** Shut down unless already off; a failed shutdown falls back to a power-off. */
export async function ensureOff(env: Env, serverId: number): Promise<void> {
  const s = await r.getServer(env.hc, serverId);
  if (s.status === "off") return;
  await r.shutdown(env.hc, serverId);
}

/**
 * Refuses a Floating IP whose API address is not the config's, or that a server outside
 * `stackServers` holds: taking it would take down someone's service.
 */
export function checkFloatingIp(
  fip: r.FloatingIp,
  configIp: string,
  stackServers: readonly Pick<r.Server, "id">[],
  step: string,
): void {
  if (!sameFloatingIp(configIp, fip))
    throw new HcloudError(step, "invalid_input", msg.fipMismatch(fip.name, configIp, fip.ip));
  if (fip.server && !stackServers.some((s) => s.id === fip.server))
    throw new HcloudError(step, "in_use", hcloud.fipInUse(fip.name, fip.server, fip.id));
}

/** The old stack's undo for a freeze: start it again, then it is live again. Idempotent. */
export function unfreezeCleanup(env: Env, spec: SshSpec, server: r.Server, remote: () => Remote): Cleanup {
  return {
    title: `start the stack on ${server.name} again`,
    byHand: `ssh -p ${spec.sshPort} ${spec.sshUser}@${server.public_net.ipv4?.ip} ${STACK_START} && firstboot recover`,
    run: async () => {
      await mustExec(remote(), "starting the stack", STACK_START);
      await clearFrozen(env, server);
    },
  };
}
