// The recovery each fault scenario ends with, on a fresh Env over the same project and servers.
// Until src/deploy/recover.ts (recoverStack) lands, this stand-in does what a user is told today
// after a failed or killed run: `firstboot gc` (every temporary resource deleted at once).
import { findLeftovers } from "../../../src/deploy/gc.js";
import type { StackSpec } from "../../../src/deploy/stack.js";
import type { Env } from "../../../src/deploy/workflow.js";

export interface Recovery {
  ok: boolean;
  did: string[];
  byHand: string[];
}

export async function gcRecover(env: Env, _spec: StackSpec): Promise<Recovery> {
  const did: string[] = [];
  const byHand: string[] = [];
  for (const l of await findLeftovers(env, 0))
    await l.remove().then(
      () => did.push(`deleted ${l.kind} ${l.name} (id ${l.id}): ${l.why}`),
      (e: Error) => byHand.push(`${l.kind} ${l.name} (id ${l.id}): ${e.message}`),
    );
  return { ok: byHand.length === 0, did, byHand };
}
