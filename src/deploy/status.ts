// `firstboot status` on the server itself: one read-only probe over the pinned SSH the deploy
// workflows use (status-probe.ts), read back piece by piece (status-parse.ts). A piece the
// server did not give is "unknown"; a server that does not answer is an error, not an exception.
import type { BootStatus } from "../boot-status.js";
import type { ConfigHashes } from "../render/config-hash.js";
import type * as r from "../hcloud/resources.js";
import { SSH_ERROR } from "../ssh/index.js";
import { status as msg } from "../catalogue.js";
import { connect, type StackSpec } from "./stack.js";
import { probeCommand, probePaths } from "./status-probe.js";
import {
  parseBackupLast,
  parseBoot,
  parseComposePs,
  parseHashes,
  parseProbeAnswer,
  type ProbeAnswer,
  type ServiceState,
} from "./status-parse.js";
import type { Env } from "./workflow.js";

export const UNKNOWN = "unknown";
type Unknown = typeof UNKNOWN;

export interface BackupView {
  result: string;
  archive?: string;
  bytes?: number;
  /** The rclone remote path; "" = kept on the server. */
  target: string;
  uploaded: boolean;
  finishedAt?: string;
  ageSeconds?: number;
}

export interface ImageView {
  id: number;
  type: string;
  name: string | null;
  description: string;
  labels: Record<string, string>;
}

export interface ServerReport {
  name: string;
  id: number;
  boot: BootStatus | Unknown;
  services: ServiceState[] | Unknown;
  /** "none": the config has no backup section; "never": no run recorded yet. */
  backup: BackupView | "none" | "never" | Unknown;
  image: ImageView | null;
  config: { hash: string; drift: "matches" | "differs" | Unknown };
  /** Why the server could not be read (unreachable, sudo refused, an answer that is no JSON). */
  error?: string;
}

export function imageView(server: Pick<r.Server, "image">): ImageView | null {
  const i = server.image;
  if (!i) return null;
  return { id: i.id, type: i.type, name: i.name ?? null, description: i.description, labels: i.labels ?? {} };
}

function backupView(a: ProbeAnswer): ServerReport["backup"] {
  if (a.backupConfigured === false) return "none";
  if (a.backup === null) return a.backupConfigured ? "never" : UNKNOWN;
  const last = a.backup === undefined ? undefined : parseBackupLast(a.backup);
  if (!last) return UNKNOWN;
  const { finished, ...rest } = last;
  if (finished === undefined) return rest;
  const ageSeconds = a.now === undefined ? undefined : Math.max(0, a.now - finished);
  return { ...rest, finishedAt: new Date(finished * 1000).toISOString(), ageSeconds };
}

/** "matches" only when every hash both sides have agrees; the secrets one only when both have it. */
export function drift(server: Partial<ConfigHashes>, local: Partial<ConfigHashes>): ServerReport["config"] {
  if (!server.config || !local.config) return { hash: server.config ?? UNKNOWN, drift: UNKNOWN };
  const same =
    server.config === local.config && (!server.secrets || !local.secrets || server.secrets === local.secrets);
  return { hash: server.config, drift: same ? "matches" : "differs" };
}

/** The report from the probe's output; pieces it lacks are unknown. */
export function reportOf(
  server: Pick<r.Server, "name" | "id" | "image">,
  stdout: string,
  local: Partial<ConfigHashes>,
): ServerReport {
  const base = { name: server.name, id: server.id, image: imageView(server) };
  const a = parseProbeAnswer(stdout);
  if (!a) return { ...base, ...unknowns(), error: msg.unreadable(stdout.trim().split("\n")[0] ?? "") };
  const services = a.servicesExit === 0 && typeof a.services === "string" ? parseComposePs(a.services) : undefined;
  return {
    ...base,
    boot: parseBoot(a.boot) ?? UNKNOWN,
    services: services ?? UNKNOWN,
    backup: backupView(a),
    config: drift(parseHashes(a.config), local),
  };
}

const unknowns = () =>
  ({
    boot: UNKNOWN,
    services: UNKNOWN,
    backup: UNKNOWN,
    config: { hash: UNKNOWN, drift: UNKNOWN },
  }) as const;

/** Reads one server over pinned SSH; never throws for what the server answers or fails to. */
export async function readServer(
  env: Env,
  spec: Pick<StackSpec, "name" | "sshUser" | "sshPort">,
  server: r.Server,
  local: Partial<ConfigHashes>,
): Promise<ServerReport> {
  const failed = (error: string): ServerReport => ({ ...reportOf(server, "", local), ...unknowns(), error });
  const command = probeCommand(probePaths(spec.name));
  const res = await connect(env, spec, server)
    .exec(command, { timeoutMs: 60_000 })
    .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  if (res instanceof Error) return failed(msg.unreachable(server.name, res.message));
  if (res.exitCode === 0) return reportOf(server, res.stdout, local);
  const why = (res.stderr || res.stdout).trim().split("\n").slice(-3).join(" ");
  return failed(res.exitCode === SSH_ERROR ? msg.unreachable(server.name, why) : msg.probeFailed(res.exitCode, why));
}
