// Pure pieces of the fake's VM mode (tested as data): the loopback addresses servers and
// Floating IPs get, the qemu command line with forwards bound to a server's own address, the
// snapshot copy, the NoCloud meta-data Hetzner's metadata service would give, and QMP lines.
import { qemuArgv, type QemuSpec } from "../vm/qemu-argv.js";
import { localCloud } from "../catalogue.js";

/** Server n (0-based) gets 127.0.0.(n+2): 127.0.0.1 stays the host's own. */
export function serverAddress(n: number): string {
  if (n < 0 || n > 252) throw new Error(localCloud.noServerAddress());
  return `127.0.0.${n + 2}`;
}

/** Floating IP n gets 127.0.1.(n+2): never confused with a server's own address. */
export function floatingAddress(n: number): string {
  if (n < 0 || n > 252) throw new Error(localCloud.noFloatingAddress());
  return `127.0.1.${n + 2}`;
}

/** Guest TCP port p is reachable at <address>:p on the host, as on a server's public IP. */
export function localNetdev(address: string, ports: readonly number[]): string {
  return `user,id=n0${ports.map((p) => `,hostfwd=tcp:${address}:${p}-:${p}`).join("")}`;
}

export interface LocalVmSpec extends Omit<QemuSpec, "forwards"> {
  address: string;
  ports: readonly number[];
  /** Shown in `ps`: which fake server this qemu is. */
  name: string;
}

/** preview's qemu command line, with the forwards on the server's address and its own name. */
export function localQemuArgv(spec: LocalVmSpec): string[] {
  const argv = qemuArgv({ ...spec, forwards: [] });
  const at = (flag: string): number => {
    const i = argv.indexOf(flag);
    if (i < 0) throw new Error(localCloud.noFlag(flag));
    return i + 1;
  };
  argv[at("-netdev")] = localNetdev(spec.address, spec.ports);
  argv[at("-name")] = spec.name;
  return argv;
}

/**
 * A snapshot is a standalone copy of the server's whole disk chain: it depends on no file a
 * later delete could remove. -U reads a disk whose qemu still runs (Hetzner snapshots running
 * servers too, crash-consistent); the base image below the overlay is only read.
 */
export function snapshotArgv(disk: string, snapshot: string, running: boolean): string[] {
  return ["qemu-img", "convert", ...(running ? ["-U"] : []), "-O", "qcow2", disk, snapshot];
}

/** NoCloud meta-data as Hetzner's metadata service describes a server: id, name, public keys. */
export function localMetaData(id: number, hostname: string, publicKeys: readonly string[]): string {
  const keys = publicKeys.length
    ? `public-keys:\n${publicKeys.map((k) => `  - ${JSON.stringify(k.trim())}`).join("\n")}\n`
    : "";
  return `instance-id: ${id}\nlocal-hostname: ${hostname}\n${keys}`;
}

export { qmpLines } from "../vm/qmp.js";

/** "22,80,443" -> [22, 80, 443]; undefined when any entry is not a port. */
export function parsePorts(text: string): number[] | undefined {
  const ports = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) return undefined;
  return [...new Set(ports)];
}
