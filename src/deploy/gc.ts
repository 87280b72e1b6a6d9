// gc: find and delete what firstboot left behind: temporary resources (labelled
// firstboot/temporary=true by an interrupted or failed run) and standby servers whose rollback
// window has passed.
import * as r from "../hcloud/resources.js";
import type { Env } from "./workflow.js";
import type { StepContext } from "./steps.js";
import { cutover } from "../catalogue.js";
import { temporaryFirewalls } from "./gc-firewalls.js";

export interface Leftover {
  kind: "server" | "ssh_key" | "image" | "firewall";
  id: number;
  name: string;
  why: string;
  remove: () => Promise<void>;
}

const TEMP = `${r.LABEL.temporary}=true`;

/**
 * Never deleted, whatever their labels say: a server holding a Floating IP, the servers of a stack
 * with an interrupted cutover (only `firstboot recover` with its config can finish that: a
 * candidate may run the only started stack), and a standby of a stack with no live server.
 */
async function guard(env: Env, kept: string[]): Promise<(s: r.Server) => boolean> {
  const fips = await r.listFloatingIps(env.hc);
  const all = await r.listServers(env.hc, r.LABEL.stack);
  const stackOf = (s: r.Server) => s.labels[r.LABEL.stack] ?? "";
  const live = all.filter((s) => s.labels[r.LABEL.role] === "live" && !s.labels[r.LABEL.temporary]);
  const frozen = all.filter((s) => s.labels[r.LABEL.role] === "frozen");
  const twoLive = (s: r.Server) => live.filter((o) => stackOf(o) === stackOf(s)).length > 1;
  const torn = new Set([...frozen, ...live.filter((s) => s.labels[r.LABEL.supersedes] || twoLive(s))].map(stackOf));
  for (const t of torn) kept.push(cutover.gcSkipStack(t));
  return (s) => {
    const fip = fips.find((f) => f.server === s.id);
    if (fip) return (void kept.push(cutover.gcHoldsFip(s.name, fip.name)), false);
    if (s.labels[r.LABEL.stack] && torn.has(stackOf(s))) return false;
    if (s.labels[r.LABEL.role] === "standby" && !live.some((l) => stackOf(l) === stackOf(s)))
      return (void kept.push(cutover.gcOnlyStack(s.name, stackOf(s))), false);
    return true;
  };
}

export async function findLeftovers(env: Env, minAgeMs: number, kept: string[] = []): Promise<Leftover[]> {
  const { hc } = env;
  const old = (created: string): boolean => hc.clock.now() - Date.parse(created) >= minAgeMs;
  const run = (l: Record<string, string>): string => `temporary, run ${l[r.LABEL.run] ?? "?"}`;
  const safe = await guard(env, kept);
  const servers = (await r.listServers(hc, TEMP)).filter((s) => old(s.created) && safe(s));
  const keys = (await r.listSshKeys(hc, TEMP)).filter((k) => old(k.created));
  const images = (await r.listSnapshots(hc, TEMP)).filter((i) => old(i.created));
  return [
    ...servers.map((s): Leftover => ({
      kind: "server",
      id: s.id,
      name: s.name,
      why: run(s.labels),
      remove: () => r.gone(r.deleteServer(hc, s.id)),
    })),
    ...keys.map((k): Leftover => ({
      kind: "ssh_key",
      id: k.id,
      name: k.name,
      why: run(k.labels),
      remove: () => r.gone(r.deleteSshKey(hc, k.id)),
    })),
    ...images.map((i): Leftover => ({
      kind: "image",
      id: i.id,
      name: i.description,
      why: run(i.labels),
      remove: () => r.gone(r.deleteImage(hc, i.id)),
    })),
    ...(await expiredStandbys(env, safe)),
    ...(await temporaryFirewalls(env, old)),
  ];
}

async function expiredStandbys(
  env: Env,
  safe: (s: r.Server) => boolean,
  stack?: string,
  except: number[] = [],
): Promise<Leftover[]> {
  const { hc } = env;
  const sel = r.selector({ [r.LABEL.role]: "standby", ...(stack ? { [r.LABEL.stack]: stack } : {}) });
  const now = hc.clock.now() / 1000;
  return (await r.listServers(hc, sel))
    .filter((s) => !except.includes(s.id) && Number(s.labels[r.LABEL.standbyUntil] ?? 0) < now && safe(s))
    .map((s) => ({
      kind: "server",
      id: s.id,
      name: s.name,
      why: "standby past its rollback window",
      remove: () => r.gone(r.deleteServer(hc, s.id)),
    }));
}

export async function deleteExpiredStandbys(
  env: Env,
  stack: string,
  except: number[],
  ctx: StepContext,
): Promise<number> {
  const list = await expiredStandbys(env, await guard(env, []), stack, except);
  for (const l of list) {
    ctx.note(`deleting ${l.kind} ${l.name} (id ${l.id}): ${l.why}`);
    await l.remove();
  }
  return list.length;
}
