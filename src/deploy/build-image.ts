// build-image: bake a golden snapshot. Pre-validate everything first (server type, arch,
// location, base image, an existing snapshot with the same content hash), then: temporary SSH
// key, build server with the bake user-data, cloud-init over SSH, clean, shut down, snapshot,
// delete the server and key. Every temporary resource is labelled for `firstboot gc`.
import { join } from "node:path";
import type { Labels } from "../hcloud/client.js";
import { HcloudError } from "../hcloud/errors.js";
import * as r from "../hcloud/resources.js";
import { cleanForSnapshotCommand, waitForCloudInit } from "./remote-steps.js";
import { generateKey, knownHostsLine, mustExec, waitForSsh, type KeyPair, type Remote } from "../ssh/index.js";
import { bootServerStep } from "./server-step.js";
import { checkServerType } from "./server-type.js";
import { runSteps, type Step, type StepsResult } from "./steps.js";
import { labelValue, tempDir, type Env } from "./workflow.js";
import { writeFileAtomic } from "../fs-atomic.js";
import { hcloud } from "../catalogue.js";

export interface HostKeys {
  ed25519_private: string;
  ed25519_public: string;
}

export interface BuildSpec {
  name: string;
  stack: string;
  serverType: string;
  location: string;
  baseImage: string;
  arch?: "x86" | "arm";
  /** Content hash of the bake user-data (secrets redacted, no host keys). */
  hash: string;
  sshUser: string;
  sshPort: number;
  force?: boolean;
  /** The bake user-data with this host key and the temporary login key authorized for sshUser. */
  render(hostKeys: HostKeys, loginPublicKey: string): Promise<string>;
}

export type BuildResult = StepsResult & { image?: r.Image; reused?: boolean };

export function snapshotLabels(spec: BuildSpec, version: string): Labels {
  return {
    [r.LABEL.image]: labelValue(spec.name),
    [r.LABEL.hash]: spec.hash,
    [r.LABEL.version]: labelValue(version),
    [r.LABEL.stack]: labelValue(spec.stack),
    [r.LABEL.base]: labelValue(spec.baseImage),
  };
}

/** Checks everything the build needs; returns a same-content snapshot to reuse, if any. */
async function prevalidate(env: Env, spec: BuildSpec): Promise<r.Image | undefined> {
  const step = "check the build";
  if (!(await r.location(env.hc, spec.location)))
    throw new HcloudError(step, "not_found", hcloud.noLocation(spec.location));
  const type = await checkServerType(env, spec, step);
  if (spec.arch && type.architecture !== spec.arch)
    throw new HcloudError(step, "invalid_input", hcloud.archMismatch(type.name, type.architecture, spec.arch));
  const base = await env.hc.call(
    step,
    env.hc.api.GET("/images", {
      params: { query: { name: spec.baseImage, architecture: type.architecture, type: ["system"] } },
    }),
  );
  if (base.images.length === 0)
    throw new HcloudError(step, "not_found", hcloud.noBaseImage(type.architecture, spec.baseImage));
  const same = await r.listSnapshots(
    env.hc,
    r.selector({ [r.LABEL.image]: labelValue(spec.name), [r.LABEL.hash]: spec.hash }),
  );
  return same.find(
    (i) => i.status === "available" && i.architecture === type.architecture && !i.labels[r.LABEL.temporary],
  );
}

export async function buildImage(env: Env, spec: BuildSpec): Promise<BuildResult> {
  let existing: r.Image | undefined;
  const check: Step = {
    title: `check ${spec.serverType} in ${spec.location}, ${spec.baseImage}, existing snapshots`,
    run: async () => void (existing = await prevalidate(env, spec)),
  };
  const pre = await runSteps([check], { signal: env.signal, progress: env.progress, clock: env.hc.clock });
  if (!pre.ok) return pre;
  if (existing && !spec.force) {
    env.progress.emit({
      type: "note",
      message: `snapshot ${existing.id} (${existing.description}) already has content hash ${spec.hash}; reusing it (--force builds anew)`,
    });
    return { ...pre, image: existing, reused: true };
  }
  const tmp = await tempDir();
  let built: r.Image | undefined;
  const res = await runSteps(
    buildSteps(env, spec, tmp.dir, (img) => (built = img)),
    {
      signal: env.signal,
      progress: env.progress,
      clock: env.hc.clock,
      finally: [tmp.cleanup],
      beforeCleanups: () => env.hc.detachSignal(),
    },
  );
  return { ...res, image: built };
}

interface BuildState {
  name: string;
  dir: string;
  host?: KeyPair;
  login?: KeyPair;
  keyId?: number;
  server?: r.Server;
  remote?: Remote;
  image?: r.Image;
  /** Drops a registered cleanup once the workflow deleted the resource itself. */
  dropped: Record<string, () => void>;
}

function buildSteps(env: Env, spec: BuildSpec, dir: string, done: (img: r.Image) => void): Step[] {
  const s: BuildState = { name: `firstboot-build-${env.runId}`, dir, dropped: {} };
  return [...provisionSteps(env, spec, s), ...bakeSteps(env, spec, s, done)];
}

function provisionSteps(env: Env, spec: BuildSpec, s: BuildState): Step[] {
  const { hc } = env;
  const name = s.name;
  const temporary = { [r.LABEL.temporary]: "true", [r.LABEL.run]: env.runId, [r.LABEL.image]: labelValue(spec.name) };
  return [
    {
      title: "generate the host key and a temporary login key",
      run: async () => {
        s.host = await generateKey(s.dir, "host_ed25519", `${name}-host`);
        s.login = await generateKey(s.dir, "login_ed25519", name);
        await writeFileAtomic(join(s.dir, "known_hosts"), knownHostsLine(name, s.host.publicKey) + "\n");
      },
    },
    {
      title: "upload the temporary SSH key",
      run: async (ctx) => {
        s.keyId = await r.createSshKey(hc, name, s.login!.publicKey, temporary, (id) => {
          s.dropped.key = ctx.onCleanup({
            title: `delete SSH key ${name} (id ${id})`,
            byHand: `hcloud ssh-key delete ${id}`,
            run: () => r.gone(r.deleteSshKey(hc, id)),
          });
        });
      },
    },
    buildServerStep(env, spec, s, temporary),
  ];
}

function buildServerStep(env: Env, spec: BuildSpec, s: BuildState, labels: Labels): Step {
  const name = s.name;
  return bootServerStep(env.hc, {
    title: `create build server ${name}`,
    request: async () => {
      const userData = await spec.render(
        { ed25519_private: s.host!.privateKey, ed25519_public: s.host!.publicKey },
        s.login!.publicKey,
      );
      // By name: the API reads a string as a name, and our key names are unique per run.
      return {
        name,
        server_type: spec.serverType,
        image: spec.baseImage,
        location: spec.location,
        ssh_keys: [name],
        labels,
        user_data: userData,
        start_after_create: true,
      };
    },
    booted: (server) => void (s.server = server),
    registered: (drop) => void (s.dropped.server = drop),
  });
}

function bakeSteps(env: Env, spec: BuildSpec, s: BuildState, done: (img: r.Image) => void): Step[] {
  const { hc } = env;
  return [
    {
      title: "wait for SSH (host key checked)",
      run: async (ctx) => {
        const host = s.server!.public_net.ipv4?.ip ?? "";
        s.remote = env.ssh.connect(
          {
            host,
            user: spec.sshUser,
            port: spec.sshPort,
            hostKey: { kind: "pinned", alias: s.name, knownHosts: join(s.dir, "known_hosts") },
            identity: s.login!.file,
          },
          { signal: () => hc.signal },
        );
        await waitForSsh(s.remote, { clock: hc.clock, signal: ctx.signal });
      },
    },
    {
      title: "wait for cloud-init to finish",
      run: (ctx) => waitForCloudInit(s.remote!, undefined, hc.clock, ctx.signal),
    },
    {
      title: "clean cloud-init, host keys and the login key",
      run: async () =>
        void (await mustExec(s.remote!, "cleaning the server", cleanForSnapshotCommand(spec.sshUser, s.name))),
    },
    { title: "shut down the build server", run: () => r.shutdown(hc, s.server!.id) },
    snapshotStep(env, spec, s, done),
    ...finalDeletes(env, s),
  ];
}

function finalDeletes(env: Env, s: BuildState): Step[] {
  const { hc } = env;
  return [
    finalDelete(env, "delete the build server", () => ({
      what: `build server ${s.name} (id ${s.server!.id})`,
      byHand: `hcloud server delete ${s.server!.id}`,
      run: async () => (await r.deleteServer(hc, s.server!.id), s.dropped.server?.()),
    })),
    finalDelete(env, "delete the temporary SSH key", () => ({
      what: `SSH key ${s.name} (id ${s.keyId!})`,
      byHand: `hcloud ssh-key delete ${s.keyId!}`,
      run: async () => (await r.deleteSshKey(hc, s.keyId!), s.dropped.key?.()),
    })),
  ];
}

/**
 * Once the snapshot exists it is the result: a delete that fails after it is a warning naming
 * what to delete by hand (it is labelled temporary, so `firstboot gc` finds it too), not a failed
 * build. Ctrl-C still fails the run, and the registered cleanups try the delete once more.
 */
function finalDelete(
  env: Env,
  title: string,
  target: () => { what: string; byHand: string; run: () => Promise<unknown> },
): Step {
  return {
    title,
    run: async (ctx) => {
      const t = target();
      try {
        await t.run();
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const why = e instanceof Error ? e.message : String(e);
        env.progress.emit({ type: "warning", message: hcloud.leftBehind(t.what, why, t.byHand) });
      }
    },
  };
}

function snapshotStep(env: Env, spec: BuildSpec, s: BuildState, done: (img: r.Image) => void): Step {
  const { hc } = env;
  return {
    title: "create the snapshot",
    run: async (ctx) => {
      const labels = { ...snapshotLabels(spec, env.version), [r.LABEL.temporary]: "true", [r.LABEL.run]: env.runId };
      s.image = await r.createSnapshot(
        hc,
        s.server!.id,
        `firstboot ${spec.name} ${spec.hash.slice(0, 12)}`,
        labels,
        (img) => {
          s.dropped.image = ctx.onCleanup({
            title: `delete snapshot ${img.id}`,
            byHand: `hcloud image delete ${img.id}`,
            run: () => r.gone(r.deleteImage(hc, img.id)),
          });
        },
      );
      // Only now is it a finished golden image: drop the temporary marks.
      await hc.call(
        "label the snapshot",
        hc.api.PUT("/images/{id}", {
          params: { path: { id: s.image.id } },
          body: { labels: snapshotLabels(spec, env.version) },
        }),
      );
      s.dropped.image?.();
      done(s.image);
    },
  };
}
