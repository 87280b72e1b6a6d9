// up: the stack's first server, from the newest matching snapshot (or the base image), with
// labels, an optional Cloud Firewall and the Floating IP; done when first boot reports healthy.
// Refuses when the stack already has a server (that is what `replace` is for).
import * as r from "../hcloud/resources.js";
import * as fw from "../hcloud/firewalls.js";
import { HcloudError } from "../hcloud/errors.js";
import { waitForBootStatus, waitForCloudInit } from "./remote-steps.js";
import {
  checkTypeAndLocation,
  connect,
  hostKeyFor,
  imageRef,
  pickImage,
  waitSsh,
  type PickedImage,
  type StackSpec,
} from "./stack.js";
import { bootServerStep } from "./server-step.js";
import { runSteps, type Step, type StepsResult } from "./steps.js";
import type { Remote } from "../ssh/index.js";
import type { HostKeys } from "./build-image.js";
import { tempDir, type Env } from "./workflow.js";
import { cutover, hcloud } from "../catalogue.js";
import { candidateLabels, checkFloatingIp, commitLabels, ensureFloatingIp } from "./cutover.js";
import { commitAndHandOver, forward, promoteSteps } from "./cutover-steps.js";

export type UpResult = StepsResult & { server?: r.Server; from?: string };

interface UpState {
  image?: PickedImage;
  fip?: r.FloatingIp;
  firewallId?: number;
  firewallTemporary?: boolean;
  hostKeys?: HostKeys;
  server?: r.Server;
  remote?: Remote;
  /** Drops the delete cleanup once the server is committed live. */
  undo: (() => void)[];
}

async function check(env: Env, spec: StackSpec, s: UpState): Promise<void> {
  const step = "check the project";
  const existing = await r.listServers(env.hc, r.selector({ [r.LABEL.stack]: spec.name }));
  const other = existing.find((x) => x.labels[r.LABEL.role] !== "standby");
  if (other?.labels[r.LABEL.temporary])
    throw new HcloudError(step, "already_exists", cutover.interruptedUp(spec.name, other.name));
  if (other) throw new HcloudError(step, "already_exists", hcloud.alreadyUp(spec.name, other.name, other.id));
  const type = await checkTypeAndLocation(env, spec, step);
  s.image = await pickImage(env, spec, type.architecture);
  if (!spec.floatingIp) return;
  s.fip = await r.floatingIpByName(env.hc, spec.floatingIp.name);
  // The stack has no server yet: any holder is someone else's.
  checkFloatingIp(s.fip, spec.floatingIp.ip, [], step);
}

/**
 * firstboot-<stack>, reused when it exists. A new one is labelled temporary with this run until
 * the server is live, so that a failed `up` whose cleanup also failed is found by `firstboot gc`;
 * a lost answer to the create is found by name and cleaned up like one that answered.
 */
async function ensureFirewall(env: Env, spec: StackSpec, s: UpState, onCreated: (id: number) => void): Promise<void> {
  const name = `firstboot-${spec.name}`;
  const found = await fw.firewallByName(env.hc, name);
  if (found) return void (s.firewallId = found.id);
  const labels = { [r.LABEL.stack]: spec.name, [r.LABEL.temporary]: "true", [r.LABEL.run]: env.runId };
  s.firewallId = await fw.createFirewall(env.hc, name, spec.cloudFirewall, labels, onCreated);
  s.firewallTemporary = true;
}

function upSteps(env: Env, spec: StackSpec, dir: string, s: UpState): Step[] {
  const name = `${spec.name}-${env.runId}`;
  const steps: Step[] = [
    { title: "check the project (no server yet, type, location, image, Floating IP)", run: () => check(env, spec, s) },
    {
      title: "generate the server's SSH host key",
      run: async () => void (s.hostKeys = await hostKeyFor(env, dir, name)),
    },
  ];
  if (spec.cloudFirewall) steps.push(firewallStep(env, spec, s));
  steps.push(...bootSteps(env, spec, name, s));
  // The commit before the Floating IP: a server that took writes through it is never deleted.
  steps.push(commitStep(env, spec, s));
  if (spec.floatingIp)
    steps.push(
      forward(name, {
        title: `assign Floating IP ${spec.floatingIp.name}`,
        run: () => ensureFloatingIp(env, s.fip!, s.server!.id),
      }),
    );
  steps.push(...promoteSteps(env, spec, () => s.server!, name));
  return steps;
}

/** The commit point of `up`: the server live before the Floating IP points at it. */
function commitStep(env: Env, spec: StackSpec, s: UpState): Step {
  return {
    title: "commit: mark the server live",
    run: async (ctx) => {
      await commitAndHandOver(env, spec, ctx, {
        serverId: s.server!.id,
        labels: commitLabels(spec.name, env.runId),
        undo: s.undo,
        what: cutover.cutoverIds(spec.name, [s.server!], s.fip),
      });
      // The firewall lives as long as the stack from here on.
      if (s.firewallTemporary) await fw.labelFirewall(env.hc, s.firewallId!, { [r.LABEL.stack]: spec.name });
    },
  };
}

function firewallStep(env: Env, spec: StackSpec, s: UpState): Step {
  const { hc } = env;
  return {
    title: "ensure the Cloud Firewall",
    run: (ctx) =>
      ensureFirewall(env, spec, s, (id) =>
        s.undo.push(
          ctx.onCleanup({
            title: `delete firewall ${id}`,
            byHand: `hcloud firewall delete ${id}`,
            run: () => r.gone(fw.deleteFirewall(hc, id)),
          }),
        ),
      ),
  };
}

/** The server created with temporary labels, up to its first boot reporting healthy. */
function bootSteps(env: Env, spec: StackSpec, name: string, s: UpState): Step[] {
  const { hc } = env;
  return [
    bootServerStep(hc, {
      title: `create server ${name}`,
      request: async (ctx) => {
        ctx.note(`booting from ${s.image!.from}`);
        const userData = await spec.render(s.hostKeys!, { holdStack: false });
        return {
          name,
          server_type: spec.serverType,
          image: imageRef(s.image!),
          location: spec.location,
          user_data: userData,
          labels: candidateLabels(spec.name, env.runId),
          start_after_create: true,
          ...(s.firewallId ? { firewalls: [{ firewall: s.firewallId }] } : {}),
        };
      },
      booted: (server) => void (s.server = server),
      registered: (drop) => void s.undo.push(drop),
    }),
    {
      title: "wait for SSH (host key checked)",
      run: async () => ((s.remote = connect(env, spec, s.server!)), await waitSsh(env, s.remote)),
    },
    { title: "wait for cloud-init", run: (ctx) => waitForCloudInit(s.remote!, undefined, hc.clock, ctx.signal) },
    {
      title: "wait for first boot to report healthy",
      run: async () =>
        void (await waitForBootStatus(s.remote!, hc.clock, env.signal, spec.health.timeoutMs + 15 * 60_000)),
    },
  ];
}

export async function up(env: Env, spec: StackSpec): Promise<UpResult> {
  const tmp = await tempDir();
  const s: UpState = { undo: [] };
  const res = await runSteps(upSteps(env, spec, tmp.dir, s), {
    signal: env.signal,
    progress: env.progress,
    clock: env.hc.clock,
    finally: [tmp.cleanup],
    beforeCleanups: () => env.hc.detachSignal(),
  });
  return { ...res, server: s.server, from: s.image?.from };
}
