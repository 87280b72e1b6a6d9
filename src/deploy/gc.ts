// gc: find and delete what firstboot left behind: temporary resources (labelled
// firstboot/temporary=true by an interrupted or failed run) and standby servers whose rollback
// window has passed.
import * as r from "../hcloud/resources.js";
import type { Env } from "./workflow.js";
import type { StepContext } from "./steps.js";
import { temporaryFirewalls } from "./gc-firewalls.js";

export interface Leftover {
  kind: "server" | "ssh_key" | "image" | "firewall";
  id: number;
  name: string;
  why: string;
  remove: () => Promise<void>;
}

const TEMP = `${r.LABEL.temporary}=true`;

export async function findLeftovers(env: Env, minAgeMs: number): Promise<Leftover[]> {
  const { hc } = env;
  const old = (created: string): boolean => hc.clock.now() - Date.parse(created) >= minAgeMs;
  const run = (l: Record<string, string>): string => `temporary, run ${l[r.LABEL.run] ?? "?"}`;
  const servers = (await r.listServers(hc, TEMP)).filter((s) => old(s.created));
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
    ...(await expiredStandbys(env)),
    ...(await temporaryFirewalls(env, old)),
  ];
}

async function expiredStandbys(env: Env, stack?: string, except: number[] = []): Promise<Leftover[]> {
  const { hc } = env;
  const sel = r.selector({ [r.LABEL.role]: "standby", ...(stack ? { [r.LABEL.stack]: stack } : {}) });
  const now = hc.clock.now() / 1000;
  return (await r.listServers(hc, sel))
    .filter((s) => !except.includes(s.id) && Number(s.labels[r.LABEL.standbyUntil] ?? 0) < now)
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
  const list = await expiredStandbys(env, stack, except);
  for (const l of list) {
    ctx.note(`deleting ${l.kind} ${l.name} (id ${l.id}): ${l.why}`);
    await l.remove();
  }
  return list.length;
}
