// ssh/ssh-keygen command lines for talking to a preview VM through its forwarded port.
// The VM is new on every boot (fresh host keys), so host key checking is meaningless here
// and known_hosts must not collect entries for 127.0.0.1:<random port>.

export interface SshTarget {
  user: string;
  port: number;
  key: string;
  /**
   * Control socket for connection sharing. Every new SSH handshake costs the emulated guest
   * seconds of CPU, which a polling loop would steal from the first boot it watches.
   */
  control?: string;
}

export function sshOptions(t: SshTarget, connectTimeout = 10): string[] {
  return [
    "-i", t.key,
    "-p", String(t.port),
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR",
    "-o", `ConnectTimeout=${connectTimeout}`,
    "-o", "ServerAliveInterval=5",
    "-o", "ServerAliveCountMax=6",
    ...(t.control ? ["-o", "ControlMaster=auto", "-o", `ControlPath=${t.control}`, "-o", "ControlPersist=120"] : []),
  ];
}

/** ssh argv running one remote shell command. */
export function sshArgv(t: SshTarget, command: string, connectTimeout?: number): string[] {
  return ["ssh", ...sshOptions(t, connectTimeout), `${t.user}@127.0.0.1`, command];
}

/** scp argv copying a remote file to the host. */
export function scpFromArgv(t: SshTarget, remote: string, local: string): string[] {
  const opts = sshOptions(t).map((o) => (o === "-p" ? "-P" : o));
  return ["scp", ...opts, `${t.user}@127.0.0.1:${remote}`, local];
}

export function keygenArgv(path: string): string[] {
  return ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "firstboot-preview", "-f", path];
}

/** What preview prints for --keep: a command a user can paste. */
export function sshCommandLine(t: SshTarget): string {
  return `ssh -i ${t.key} -p ${t.port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ${t.user}@127.0.0.1`;
}

/** Single-quote for the remote POSIX shell that ssh hands its command to. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
