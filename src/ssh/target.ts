// Where an SSH connection goes and how the server's host key is trusted. Deploy workflows talk
// to real servers whose host key firstboot generated and pinned; preview VMs get fresh host keys
// on every boot behind a forwarded port on this machine, so there is nothing to pin.

export type HostKeyPolicy =
  /**
   * StrictHostKeyChecking against our own known_hosts file, keyed by a HostKeyAlias (the
   * server's name) so a moved Floating IP keeps the same identity: no trust on first use.
   */
  | { kind: "pinned"; alias: string; knownHosts: string }
  /** No checking and nothing recorded: known_hosts must not collect 127.0.0.1:<random port>. */
  | { kind: "throwaway" };

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  hostKey: HostKeyPolicy;
  /** Private key file; absent = the user's agent/default keys. */
  identity?: string;
  /**
   * Control socket for connection sharing. Every new SSH handshake costs an emulated guest
   * seconds of CPU, which a polling loop would steal from the first boot it watches.
   */
  control?: string;
  /** Seconds; ssh's ConnectTimeout (default 10). */
  connectTimeout?: number;
}

/** A preview VM: its forwarded SSH port on this machine, the preview's own login key. */
export function vmTarget(o: { user: string; port: number; identity: string; control?: string }): SshTarget {
  return { host: "127.0.0.1", hostKey: { kind: "throwaway" }, ...o };
}
