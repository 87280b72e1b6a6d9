// The five workflows as their commands run them, each with the world it starts from: build-image
// in an empty project, up with only the Floating IP, replace over a live stack, rollback after a
// replace, gc with a killed build's leftovers and a standby past its window next to the live stack.
import { buildImage, type BuildSpec } from "../../../src/deploy/build-image.js";
import { findLeftovers } from "../../../src/deploy/gc.js";
import { planReplace, replace, type ReplaceOptions } from "../../../src/deploy/replace.js";
import { planRollback, rollback } from "../../../src/deploy/rollback.js";
import type { StackSpec } from "../../../src/deploy/stack.js";
import type { StepsResult } from "../../../src/deploy/steps.js";
import { up } from "../../../src/deploy/up.js";
import type { Env } from "../../../src/deploy/workflow.js";
import * as r from "../../../src/hcloud/resources.js";
import { fakeUserData } from "../env.js";
import { stackSpec } from "../stack-fixture.js";
import { newRun, newWorld, type World } from "./world.js";

export interface Case {
  world: World;
  spec: StackSpec;
  /** Has a Floating IP the client writes through (not build-image). */
  fip: boolean;
  /** rollback: the server rolled away from, whose writes since the replace are dropped by design. */
  droppedBy?: number;
}

/** What the run told its user: whether it worked and, for what it left, what to do by hand. */
export interface Outcome {
  ok: boolean;
  byHand: string[];
  message: string;
}

export interface Workflow {
  name: string;
  runId: string;
  setup(): Promise<Case>;
  run(env: Env, c: Case): Promise<Outcome>;
}

const DAY = 24 * 3600_000;
const OPTS: ReplaceOptions = { freeze: true, rollbackWindowMs: DAY };

function outcome(res: StepsResult): Outcome {
  if (res.ok) return { ok: true, byHand: [], message: "ok" };
  return { ok: false, byHand: res.leftovers, message: `${res.failedStep}: ${res.error.message}` };
}

function must(res: StepsResult, what: string): void {
  if (!res.ok) throw new Error(`fault harness setup: ${what} failed: ${res.failedStep}: ${res.error.message}`);
}

/** A world with the stack's Floating IP, unassigned; the client writes through it from now on. */
async function withFip(spec: StackSpec): Promise<World> {
  const w = newWorld();
  const { env } = newRun(w, "setup");
  const res = await env.hc.call(
    "create the Floating IP",
    env.hc.api.POST("/floating_ips", { body: { type: "ipv4", home_location: spec.location, name: "selfmx-ip" } }),
  );
  w.ssh.clientFip = res.floating_ip!.id;
  return w;
}

async function liveStack(spec: StackSpec): Promise<World> {
  const w = await withFip(spec);
  must(await up(newRun(w, "up1").env, spec), "up");
  return w;
}

async function replaced(spec: StackSpec): Promise<{ w: World; newId: number }> {
  const w = await liveStack(spec);
  const { env } = newRun(w, "rep1");
  const res = await replace(env, spec, await planReplace(env, spec, OPTS), OPTS);
  must(res, "replace");
  return { w, newId: res.server!.id };
}

const buildSpec: BuildSpec = {
  name: "selfmx",
  stack: "selfmx",
  serverType: stackSpec().serverType,
  location: "nbg1",
  baseImage: "ubuntu-24.04",
  arch: "x86",
  hash: "0123456789abcdef0123456789abcdef",
  sshUser: "deploy",
  sshPort: 22,
  render: async (hk, login) => fakeUserData(hk, [`# authorized for deploy: ${login}`]),
};

const upSpec = (): StackSpec =>
  stackSpec({ cloudFirewall: [{ direction: "in", protocol: "tcp", port: "443", source_ips: ["0.0.0.0/0"] }] });

/** What a build killed after creating its key and server leaves: both labelled temporary. */
async function killedBuildLeftovers(w: World, spec: StackSpec): Promise<void> {
  const { hc } = newRun(w, "setup").env;
  const labels = { [r.LABEL.temporary]: "true", [r.LABEL.run]: "dead1" };
  await hc.call(
    "key",
    hc.api.POST("/ssh_keys", {
      body: {
        name: "firstboot-build-dead1",
        public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9aGVHhk7h3m0bGZr4Xo6pZ0WmI2N0k3dTq0cUu5v1A x",
        labels,
      },
    }),
  );
  const body = { name: "firstboot-build-dead1", server_type: spec.serverType, image: spec.baseImage, labels };
  await hc.call(
    "server",
    hc.api.POST("/servers", { body: { ...body, location: spec.location, start_after_create: true } }),
  );
}

/** `firstboot gc` as its command runs it: every leftover deleted, a failed deletion named by hand. */
async function gc(env: Env): Promise<Outcome> {
  const failed: string[] = [];
  for (const l of await findLeftovers(env, 0))
    await l.remove().catch((e: Error) => failed.push(`${l.kind} ${l.name} (id ${l.id}): ${e.message}`));
  return { ok: failed.length === 0, byHand: failed, message: failed.length ? "some deletions failed" : "ok" };
}

export const WORKFLOWS: Workflow[] = [
  {
    name: "build-image",
    runId: "run1",
    setup: async () => ({ world: newWorld(), spec: stackSpec(), fip: false }),
    run: async (env) => outcome(await buildImage(env, buildSpec)),
  },
  {
    name: "up",
    runId: "up1",
    setup: async () => ({ world: await withFip(upSpec()), spec: upSpec(), fip: true }),
    run: async (env, c) => outcome(await up(env, c.spec)),
  },
  {
    name: "replace",
    runId: "rep1",
    setup: async () => ({ world: await liveStack(stackSpec()), spec: stackSpec(), fip: true }),
    run: async (env, c) => outcome(await replace(env, c.spec, await planReplace(env, c.spec, OPTS), OPTS)),
  },
  {
    name: "rollback",
    runId: "rb1",
    setup: async () => {
      const { w, newId } = await replaced(stackSpec());
      return { world: w, spec: stackSpec(), fip: true, droppedBy: newId };
    },
    run: async (env, c) => outcome(await rollback(env, c.spec, await planRollback(env, c.spec), DAY)),
  },
  {
    name: "gc",
    runId: "gc1",
    setup: async () => {
      const { w } = await replaced(stackSpec());
      w.clock.advance(DAY + 3600_000);
      await killedBuildLeftovers(w, stackSpec());
      return { world: w, spec: stackSpec(), fip: true };
    },
    run: (env) => gc(env),
  },
];
