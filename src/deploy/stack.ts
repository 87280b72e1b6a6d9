// What up, replace and rollback share: the stack's description, which image a new server
// boots from, the health command run over SSH, and creating a stack server with a pinned host key.
import { readFile } from "node:fs/promises";
import type { Schemas } from "../hcloud/client.js";
import * as r from "../hcloud/resources.js";
import { generateKey, rememberHostKey, SSH_ERROR, waitForSsh, type Remote } from "../ssh/index.js";
import { HEALTH_BIN } from "../server-contract.js";
import { STACK_START_ROOT } from "./remote-steps.js";
import type { HostKeys } from "./build-image.js";
import type { Env } from "./workflow.js";
import type { Clock } from "../clock.js";
import { hcloud } from "../catalogue.js";
import { checkServerType } from "./server-type.js";

export interface StackSpec {
  name: string;
  serverType: string;
  location: string;
  baseImage: string;
  sshUser: string;
  sshPort: number;
  floatingIp?: { name: string; ip: string };
  /** Port 80 is open: probe http://<ip>/ from here as well as the health check over SSH. */
  httpCheck: boolean;
  health: { url?: string; services?: string[]; timeoutMs: number };
  /** Rules for an optional Hetzner Cloud Firewall named firstboot-<name>. */
  cloudFirewall?: Schemas["rule"][];
  /** Host directories holding stack data (backup dirs, SQLite dirs) that a replacement copies across. */
  dataDirs: string[];
  /** The config has a backup section: firstboot-backup is on the server (promote after a cutover). */
  backups: boolean;
  render(hostKeys: HostKeys, opts: { holdStack: boolean }): Promise<string>;
}

/** firstboot-health (installed with the stack) waits up to `seconds` for the stack's own health gate. */
export function healthCommand(seconds: number, startFirst = false): string {
  const wait = `${HEALTH_BIN} ${Math.max(1, Math.round(seconds))}`;
  // One SSH login and one sudo fewer inside a replacement's freeze (each costs about a second).
  return startFirst ? `sudo -n sh -c '${STACK_START_ROOT} && exec ${wait}'` : `sudo -n ${wait}`;
}

/** The server does the waiting; only an SSH failure (exit 255: reboot, network) is retried. */
export async function waitForHealth(
  remote: Remote,
  clock: Clock,
  signal: AbortSignal,
  timeoutMs: number,
  startFirst = false,
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const left = Math.max(1000, deadline - clock.now());
    const res = await remote.exec(healthCommand(left / 1000, startFirst), { timeoutMs: left + 60_000 });
    if (res.exitCode === 0) return;
    if (res.exitCode !== SSH_ERROR || clock.now() > deadline)
      throw new Error(hcloud.unhealthy((res.stderr || res.stdout).trim().split("\n").slice(-5).join("\n")));
    await clock.sleep(Math.min(10_000, 2000 * 1.5 ** i), signal);
  }
}

export async function waitForHttp(env: Env, url: string, timeoutMs: number): Promise<void> {
  const deadline = env.hc.clock.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const status = await env.http(url, 5000);
    if (status !== undefined && status < 500) return;
    if (env.hc.clock.now() > deadline) throw new Error(hcloud.noAnswer(url, String(status ?? "no connection")));
    await env.hc.clock.sleep(Math.min(10_000, 2000 * 1.5 ** i), env.signal);
  }
}

/** The newest finished snapshot built for this stack and base image, else the base image itself. */
/** A snapshot by ID (snapshots have no name) or a system image by name. */
export interface PickedImage {
  image: string | number;
  from: string;
}

/** The spec types "ID or name" as a string, but a numeric string would be read as a name: send IDs as numbers like hcloud-go. */
export function imageRef(p: PickedImage): string {
  return p.image as string;
}

export async function pickImage(env: Env, spec: StackSpec, arch: string): Promise<PickedImage> {
  const snaps = await r.listSnapshots(
    env.hc,
    r.selector({ [r.LABEL.stack]: spec.name, [r.LABEL.base]: spec.baseImage }),
  );
  const best = snaps.find((i) => i.status === "available" && i.architecture === arch && !i.labels[r.LABEL.temporary]);
  return best
    ? { image: best.id, from: `snapshot ${best.id} (${best.description})` }
    : { image: spec.baseImage, from: `base image ${spec.baseImage}` };
}

/** The one server type check (up, replace and build-image): see server-type.ts. */
export async function checkTypeAndLocation(env: Env, spec: StackSpec, step: string): Promise<Schemas["server_type"]> {
  return checkServerType(env, spec, step);
}

export function liveSelector(name: string): string {
  return r.selector({ [r.LABEL.stack]: name, [r.LABEL.role]: "live" });
}

/** Host key for a new stack server: generated here, pinned in the persistent known_hosts. */
export async function hostKeyFor(env: Env, dir: string, serverName: string): Promise<HostKeys> {
  const key = await generateKey(dir, `${serverName}_host_ed25519`, `${serverName}-host`);
  await rememberHostKey(env.knownHosts, serverName, key.publicKey);
  return { ed25519_private: key.privateKey, ed25519_public: key.publicKey };
}

export async function hasHostKey(env: Env, alias: string): Promise<boolean> {
  const text = await readFile(env.knownHosts, "utf8").catch(() => "");
  return text.split("\n").some((l) => l.split(" ")[0] === alias);
}

/** Commands on it end at Ctrl-C until the workflow's cleanups start (hc.detachSignal). */
export function connect(
  env: Env,
  spec: Pick<StackSpec, "sshUser" | "sshPort">,
  server: Pick<r.Server, "name" | "public_net">,
  host = server.public_net.ipv4?.ip ?? "",
): Remote {
  return env.ssh.connect(
    {
      host,
      user: spec.sshUser,
      port: spec.sshPort,
      hostKey: { kind: "pinned", alias: server.name, knownHosts: env.knownHosts },
    },
    { signal: () => env.hc.signal },
  );
}

export async function waitSsh(env: Env, remote: Remote, timeoutMs?: number): Promise<void> {
  await waitForSsh(remote, { clock: env.hc.clock, signal: env.signal, timeoutMs });
}
