// The ssh, scp and ssh-keygen command lines, built by pure functions so tests pin them exactly.
import type { HostKeyPolicy, SshTarget } from "./target.js";

type Pinned = Extract<HostKeyPolicy, { kind: "pinned" }>;

const controlOptions = (t: SshTarget): string[] =>
  t.control ? ["-o", "ControlMaster=auto", "-o", `ControlPath=${t.control}`, "-o", "ControlPersist=120"] : [];

function pinnedOptions(t: SshTarget, k: Pinned): string[] {
  return [
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${k.knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    `HostKeyAlias=${k.alias}`,
    "-o",
    `ConnectTimeout=${t.connectTimeout ?? 10}`,
    "-o",
    "ServerAliveInterval=15",
    "-o",
    "LogLevel=ERROR",
    ...(t.identity ? ["-o", "IdentitiesOnly=yes", "-i", t.identity] : []),
    ...controlOptions(t),
    "-p",
    String(t.port),
  ];
}

// A VM on emulated CPUs can stall for seconds: keepalives notice a dead one within 30 s.
function throwawayOptions(t: SshTarget): string[] {
  return [
    ...(t.identity ? ["-i", t.identity] : []),
    "-p",
    String(t.port),
    ...(t.identity ? ["-o", "IdentitiesOnly=yes"] : []),
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    `ConnectTimeout=${t.connectTimeout ?? 10}`,
    "-o",
    "ServerAliveInterval=5",
    "-o",
    "ServerAliveCountMax=6",
    ...controlOptions(t),
  ];
}

/** Everything ssh needs before the destination (scp takes the same, with -P for the port). */
export function sshOptions(t: SshTarget): string[] {
  return t.hostKey.kind === "pinned" ? pinnedOptions(t, t.hostKey) : throwawayOptions(t);
}

/** ssh argv running one remote shell command. */
export function sshArgv(t: SshTarget, command: string): string[] {
  // `--` keeps a command starting with "-" from being read as an ssh option; the preview's
  // argv never had it and is kept as it was.
  const end = t.hostKey.kind === "pinned" ? ["--"] : [];
  return ["ssh", ...sshOptions(t), `${t.user}@${t.host}`, ...end, command];
}

/** scp argv copying a remote file to this machine. */
export function scpFromArgv(t: SshTarget, remote: string, local: string): string[] {
  const opts = sshOptions(t).map((o) => (o === "-p" ? "-P" : o));
  return ["scp", ...opts, `${t.user}@${t.host}:${remote}`, local];
}

/** What a user can paste to log in (preview --keep): only the options that matter by hand. */
export function sshCommandLine(t: SshTarget): string {
  const k = t.hostKey;
  const trust =
    k.kind === "pinned"
      ? [`-o UserKnownHostsFile=${k.knownHosts}`, `-o HostKeyAlias=${k.alias}`]
      : ["-o StrictHostKeyChecking=no", "-o UserKnownHostsFile=/dev/null"];
  return ["ssh", ...(t.identity ? [`-i ${t.identity}`] : []), `-p ${t.port}`, ...trust, `${t.user}@${t.host}`].join(
    " ",
  );
}

/** An unencrypted ed25519 key pair (server host keys, temporary and preview login keys). */
export function keygenArgv(file: string, comment: string): string[] {
  return ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file];
}
