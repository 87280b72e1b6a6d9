// replace (blue/green): the new server boots from the snapshot with its stack held, a backup
// made now on the old server is restored on it (proving the backup) and the data is copied
// across with rsync, all while the old server still serves. Then writes stop on the old server,
// a final rsync pass carries what changed meanwhile, the new stack starts, its health is checked
// over SSH and HTTP, the Floating IP moves and is checked. Without rsync on the old server
// (made by an older firstboot) the freeze holds a final backup and its restore instead. Until
// the check through the Floating IP passes every failure deletes the new server and restarts
// the old stack. The old server is kept powered off for `firstboot rollback`.
import * as r from "../hcloud/resources.js";
import { HcloudError } from "../hcloud/errors.js";
import * as rs from "./remote-steps.js";
import { SSH_ERROR } from "../ssh/index.js";
import {
  checkTypeAndLocation,
  connect,
  hasHostKey,
  hostKeyFor,
  imageRef,
  liveSelector,
  pickImage,
  waitForHealth,
  waitForHttp,
  waitSsh,
  type PickedImage,
  type StackSpec,
} from "./stack.js";
import { bootServerStep } from "./server-step.js";
import { runSteps, type Step, type StepsResult } from "./steps.js";
import { tempDir, type Env } from "./workflow.js";
import { HAS_RSYNC } from "./sync.js";
import { freezeSteps, keep, prepare, type ReplaceState } from "./replace-data.js";
import { deleteExpiredStandbys } from "./gc.js";
import { hcloud } from "../catalogue.js";

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
        ? `stack ${spec.name} has ${live.length} live servers: ${live.map((s) => s.name).join(", ")}`
        : `stack ${spec.name} has no live server; use firstboot up`,
    );
  const old = live[0]!;
  if (!(await hasHostKey(env, old.name)))
    throw new HcloudError(step, "no_host_key", hcloud.noPinnedKey(old.name, env.knownHosts, true));
  const type = await checkTypeAndLocation(env, spec, step);
  const image = await pickImage(env, spec, type.architecture);
  const fip = await r.floatingIpByName(env.hc, spec.floatingIp.name);
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
    `  4. start the stack, health over SSH${spec.httpCheck ? " and HTTP" : ""} on the new server, move Floating IP ${p.fip.name} (${p.fip.ip}): downtime ends; check through it`,
    `  5. power off ${p.old.name}, kept for \`firstboot rollback\` until ${until}, then deleted`,
    "  If anything fails before the Floating IP check passes: the new server is deleted, the old stack restarted.",
  ].join("\n");
}

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
