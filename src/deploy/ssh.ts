// SSH without trust-on-first-use: the server's host key is generated here and handed to
// cloud-init, and every connection checks it (StrictHostKeyChecking=yes against our own
// known_hosts file, keyed by a HostKeyAlias so a moved Floating IP keeps the same identity).
// The argv is built by pure functions; the transport is injectable so tests use a fake remote.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { run, spawnPiped, type Piped, type RunResult } from "../exec.js";
import { writeFileAtomic } from "../fs-atomic.js";
import { throwIfAborted, type Clock } from "../clock.js";

export interface SshTarget {
  host: string;
  user: string;
  port: number;
  /** The name the host key is filed under in known_hosts (the server's name). */
  alias: string;
  knownHosts: string;
  /** Private key file; absent = the user's agent/default keys. */
  identity?: string;
}

export function sshArgv(t: SshTarget, command: string): string[] {
  return [
    "ssh",
    "-o", "BatchMode=yes",
    "-o", "StrictHostKeyChecking=yes",
    "-o", `UserKnownHostsFile=${t.knownHosts}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", `HostKeyAlias=${t.alias}`,
    "-o", "ConnectTimeout=10",
    "-o", "ServerAliveInterval=15",
    "-o", "LogLevel=ERROR",
    ...(t.identity ? ["-o", "IdentitiesOnly=yes", "-i", t.identity] : []),
    "-p", String(t.port),
    `${t.user}@${t.host}`,
    "--",
    command,
  ];
}

/** A known_hosts line for the alias: "alias ssh-ed25519 AAAA..." (the comment dropped). */
export function knownHostsLine(alias: string, publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob) throw new Error(`not an SSH public key: ${publicKey.slice(0, 40)}`);
  return `${alias} ${type} ${blob}`;
}

/** Replaces the alias's entry in a known_hosts file (or creates the file). */
export async function rememberHostKey(file: string, alias: string, publicKey: string): Promise<void> {
  const old = await readFile(file, "utf8").catch(() => "");
  const kept = old.split("\n").filter((l) => l.trim() !== "" && l.split(" ")[0] !== alias);
  await writeFileAtomic(file, [...kept, knownHostsLine(alias, publicKey)].join("\n") + "\n", 0o600);
}

export function keygenArgv(file: string, comment: string): string[] {
  return ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file];
}

export interface KeyPair {
  privateKey: string;
  publicKey: string;
  file: string;
}

/** A fresh ed25519 key pair in dir (used for server host keys and temporary login keys). */
export async function generateKey(dir: string, name: string, comment: string): Promise<KeyPair> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  await run(keygenArgv(file, comment));
  return { file, privateKey: await readFile(file, "utf8"), publicKey: (await readFile(`${file}.pub`, "utf8")).trim() };
}

export interface Remote {
  exec(command: string, opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** The command with its stdin and stdout streamed by the caller (the data copy between servers). */
  pipe?(command: string, opts?: { timeoutMs?: number }): Piped;
}

export interface SshLayer {
  connect(target: SshTarget): Remote;
}

export const systemSsh: SshLayer = {
  connect: (t) => ({
    exec: (command, opts) => run(sshArgv(t, command), { allowFailure: true, timeoutMs: opts?.timeoutMs ?? 120_000 }),
    pipe: (command, opts) => spawnPiped(sshArgv(t, command), { timeoutMs: opts?.timeoutMs }),
  }),
};

/** ssh exits 255 for its own errors (refused, timeout, host key mismatch); anything else is the command's. */
export const SSH_ERROR = 255;

const MAX_MISMATCHES = 4;

/** Retries a trivial command until the server accepts our key and shows the expected host key. */
export async function waitForSsh(remote: Remote, clock: Clock, signal: AbortSignal, timeoutMs = 10 * 60_000): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  let last = "";
  let mismatches = 0;
  for (let i = 0; clock.now() < deadline; i++) {
    throwIfAborted(signal);
    const r = await remote.exec("true", { timeoutMs: 20_000 });
    if (r.exitCode === 0) return;
    last = r.stderr.trim();
    // ssh never logs in with a wrong key; a few retries cover an sshd that started before
    // cloud-init installed our key, more mean someone else answers.
    mismatches = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(last) ? mismatches + 1 : 0;
    if (mismatches >= MAX_MISMATCHES) throw new Error(`the server's SSH host key is not the one firstboot generated: ${last}`);
    await clock.sleep(Math.min(10_000, 2000 * 1.5 ** i), signal);
  }
  throw new Error(`SSH did not come up within ${timeoutMs / 60_000} minutes: ${last}`);
}

/** Runs a command that must succeed; the error carries its output. */
export async function mustExec(remote: Remote, what: string, command: string, timeoutMs?: number): Promise<string> {
  const r = await remote.exec(command, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split("\n").slice(-10).join("\n")}`);
  return r.stdout;
}
