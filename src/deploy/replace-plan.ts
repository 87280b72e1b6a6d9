// The replace plan: what `firstboot replace` will do, checked against the API and the old server
// before anything is created (and printed for --dry-run).
import * as r from "../hcloud/resources.js";
import { HcloudError } from "../hcloud/errors.js";
import { SSH_ERROR } from "../ssh/index.js";
import {
  checkTypeAndLocation,
  connect,
  hasHostKey,
  liveSelector,
  pickImage,
  type PickedImage,
  type StackSpec,
} from "./stack.js";
import type { StepsResult } from "./steps.js";
import type { Env } from "./workflow.js";
import { HAS_RSYNC } from "./sync.js";
import { hcloud } from "../catalogue.js";
import { checkFloatingIp } from "./cutover.js";

export interface ReplaceOptions {
  freeze: boolean;
  rollbackWindowMs: number;
}

export interface ReplacePlan {
  old: r.Server;
  newName: string;
  image: PickedImage;
  fip: r.FloatingIp;
  /** rsync on the old server: the freeze is a short final copy, not a backup and restore. */
  sync: boolean;
  text: string;
}

export type ReplaceResult = StepsResult & { downtimeMs?: number; server?: r.Server };

export async function planReplace(env: Env, spec: StackSpec, opts: ReplaceOptions): Promise<ReplacePlan> {
  const step = "plan the replacement";
  if (!spec.floatingIp) throw new HcloudError(step, "invalid_input", hcloud.needsFloatingIp("replace"));
  const live = await r.listServers(env.hc, liveSelector(spec.name));
  if (live.length !== 1)
    throw new HcloudError(
      step,
      live.length ? "conflict" : "not_found",
      live.length
        ? hcloud.liveServers(
            spec.name,
            live.map((s) => s.name),
          )
        : hcloud.noLive(spec.name),
    );
  const old = live[0]!;
  if (!(await hasHostKey(env, old.name)))
    throw new HcloudError(step, "no_host_key", hcloud.noPinnedKey(old.name, env.knownHosts, true));
  const type = await checkTypeAndLocation(env, spec, step);
  const image = await pickImage(env, spec, type.architecture);
  const fip = await r.floatingIpByName(env.hc, spec.floatingIp.name);
  checkFloatingIp(fip, spec.floatingIp.ip, [old], step);
  const newName = `${spec.name}-${env.runId}`;
  const probe = await connect(env, spec, old).exec(HAS_RSYNC, { timeoutMs: 60_000 });
  if (probe.exitCode === SSH_ERROR)
    throw new HcloudError(step, "unreachable", hcloud.unreachable(old.name, probe.stderr.trim()));
  const p = { old, newName, image, fip, sync: probe.exitCode === 0 };
  return { ...p, text: planText(spec, opts, p, env.hc.clock.now()) };
}

export function planText(spec: StackSpec, opts: ReplaceOptions, p: Omit<ReplacePlan, "text">, now: number): string {
  const until = new Date(now + opts.rollbackWindowMs).toISOString().replace(/\.\d+Z$/, "Z");
  return [
    `replace ${spec.name}:`,
    `  old  ${p.old.name} (id ${p.old.id}, ${p.old.public_net.ipv4?.ip}) keeps serving until writes stop`,
    `  new  ${p.newName}: ${spec.serverType} in ${spec.location} from ${p.image.from}; stack held until the restore`,
    "  1. create the new server and wait for its first boot (no downtime)",
    `  2. back up ${p.old.name} now, restore that backup on the new server${p.sync ? ", copy the data across with rsync" : ""} (no downtime)`,
    opts.freeze
      ? `  3. stop the stack on ${p.old.name}: writes stop, downtime starts; ${p.sync ? "copy what changed since step 2" : `final backup restored on the new server (no rsync on ${p.old.name}: a longer freeze)`}`
      : `  3. --no-freeze: ${p.old.name} keeps serving; writes after step 2 are lost`,
    `  4. start the stack, health over SSH${spec.httpCheck ? " and HTTP" : ""} on the new server's own IP`,
    `  5. commit: ${p.newName} is labelled live; move Floating IP ${p.fip.name} (${p.fip.ip}): downtime ends; check through it`,
    `  6. power off ${p.old.name}, kept for \`firstboot rollback\` until ${until}, then deleted`,
    "  A failure before the commit deletes the new server and restarts the old stack; after it the new server",
    "  stays live and `firstboot recover` finishes the rest.",
  ].join("\n");
}
