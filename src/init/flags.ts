// init's flags as answers: each flag fills the answer(s) of its question; --backup-target is a
// URL naming the target and its place, --secret says where each secret's value comes from (never
// the value itself: a command line is seen by every process on the machine).
import { init as msg, type Advice } from "../catalogue.js";
import type { Diagnostic } from "../config/diagnostics.js";
import type { Draft } from "./questions.js";

export interface InitFlags {
  name?: string;
  domain?: string;
  email?: string;
  type?: string;
  location?: string;
  image?: string;
  sshKey?: string;
  backupTime?: string;
  recipient?: string;
  backupTarget?: string;
  /** false for --no-floating-ip. */
  floatingIp?: string | boolean;
  floatingIpAddress?: string;
  secret?: string | string[];
  keygen?: boolean;
  force?: boolean;
  yes?: boolean;
}

/** A flag's problem as a diagnostic; `value` is quoted unless it is undefined. */
export function flagProblem(flag: string, value: string | undefined, a: Advice): Diagnostic {
  return { path: flag, file: msg.commandLine(), line: 0, col: 0, ...msg.badFlag(value, a) };
}

const PLAIN: [keyof InitFlags, string][] = [
  ["name", "name"],
  ["domain", "domain"],
  ["email", "email"],
  ["type", "type"],
  ["location", "location"],
  ["image", "image"],
  ["sshKey", "ssh_key"],
  ["backupTime", "backup_time"],
  ["recipient", "recipient"],
];

/** --backup-target as answers: none, sftp://USER@HOST[:PORT]/PATH or s3://ENDPOINT/BUCKET?region=R. */
export function targetAnswers(text: string): Draft | undefined {
  if (text === "none") return { backup_target: "none" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ""));
  if (url.protocol === "sftp:" && url.username && url.hostname) {
    const port: Draft = url.port ? { sftp_port: url.port } : {};
    const user = decodeURIComponent(url.username);
    return { backup_target: "sftp", sftp_user: user, sftp_host: url.hostname, sftp_path: path || "backups", ...port };
  }
  const [bucket = "", ...prefix] = path.split("/");
  if (url.protocol !== "s3:" || !url.host || !bucket) return undefined;
  const region = url.searchParams.get("region");
  return {
    backup_target: "s3",
    s3_endpoint: `https://${url.host}`,
    s3_bucket: bucket,
    ...(prefix.length ? { s3_path: prefix.join("/") } : {}),
    ...(region ? { s3_region: region } : {}),
  };
}

/** The answers the flags give (only those given), and the --backup-target that made no sense. */
export function flagAnswers(f: InitFlags): { given: Draft; problems: Diagnostic[] } {
  const given: Draft = {};
  const problems: Diagnostic[] = [];
  for (const [flag, key] of PLAIN) if (f[flag] !== undefined) given[key] = String(f[flag]);
  if (f.backupTarget !== undefined) {
    const t = targetAnswers(String(f.backupTarget));
    if (t) Object.assign(given, t);
    else problems.push(flagProblem("--backup-target", String(f.backupTarget), msg.target()));
  }
  if (f.floatingIp === false) given.floating_ip = "no";
  if (typeof f.floatingIp === "string" || typeof f.floatingIp === "number")
    Object.assign(given, { floating_ip: "yes", fip_name: String(f.floatingIp) });
  if (f.floatingIpAddress !== undefined)
    Object.assign(given, { floating_ip: "yes", fip_ip: String(f.floatingIpAddress) });
  return { given, problems };
}

/** --secret NAME=SOURCE entries by secret name (NAME taken lower-case, as the variable's secret is). */
export function secretFlags(f: InitFlags): { sources: Record<string, string>; problems: Diagnostic[] } {
  const entries = f.secret === undefined ? [] : Array.isArray(f.secret) ? f.secret : [f.secret];
  const sources: Record<string, string> = {};
  const problems: Diagnostic[] = [];
  for (const e of entries.map(String)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(generate|env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/.exec(e);
    if (m) sources[m[1]!.toLowerCase()] = m[2]!;
    else problems.push(flagProblem("--secret", undefined, msg.secretSource(e)));
  }
  return { sources, problems };
}
