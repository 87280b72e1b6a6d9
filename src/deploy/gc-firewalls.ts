// gc's share of Cloud Firewalls: one an `up` created (labelled temporary until its server is
// live) that no server uses. One still applied to a server is left alone: that server's own
// cleanup (or the next gc, once the server is gone) comes first.
import * as fw from "../hcloud/firewalls.js";
import * as r from "../hcloud/resources.js";
import type { Env } from "./workflow.js";

/** One of gc.ts's leftovers (declared here: gc.ts imports this file). */
export interface FirewallLeftover {
  kind: "firewall";
  id: number;
  name: string;
  why: string;
  remove: () => Promise<void>;
}

export async function temporaryFirewalls(env: Env, old: (created: string) => boolean): Promise<FirewallLeftover[]> {
  const { hc } = env;
  const list = await fw.listFirewalls(hc, r.selector({ [r.LABEL.temporary]: "true" }));
  return list
    .filter((f) => f.applied_to.length === 0 && old(f.created))
    .map((f) => ({
      kind: "firewall" as const,
      id: f.id,
      name: f.name,
      why: `temporary, run ${f.labels?.[r.LABEL.run] ?? "?"}`,
      remove: () => r.gone(fw.deleteFirewall(hc, f.id)),
    }));
}
