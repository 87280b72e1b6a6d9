// The fake API's VM mode (`firstboot local-cloud`): each server is a qemu VM on a qcow2 overlay
// of its image (a base image built by `preview build-base` for system images like debian-13,
// or a snapshot this fake made), seeded with the request's user_data exactly as Hetzner's
// datasource reads it; its "public IP" is a loopback address with the configured ports
// forwarded; Floating IPs are loopback addresses relayed by FloatingProxy.
import { createServer } from "node:net";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { components } from "../hcloud/generated/schema.js";
import { run } from "../exec.js";
import { buildBase, findBase } from "../vm/base-image.js";
import { DEFAULT_BASE } from "../vm/base-image-plan.js";
import { vmPaths } from "../vm/cache.js";
import { releaseFor } from "../vm/preview-plan.js";
import { overlayArgv, type Accel } from "../vm/qemu-argv.js";
import { hostnameFor, maybeB64Decode, seedArgv } from "../vm/seed.js";
import type { BackendServer, BootData, ServerBackend } from "./backend.js";
import { FloatingProxy } from "./floating-proxy.js";
import { floatingAddress, localMetaData, serverAddress, snapshotArgv } from "./vm-argv.js";
import { killAll, Machine } from "./vm-machine.js";
import { localCloud } from "../catalogue.js";

type Image = components["schemas"]["image"];

export interface VmBackendOptions {
  /** firstboot's cache (base images under base/); this run's disks go to <root>/local-cloud/<pid>. */
  root: string;
  /** Guest TCP ports reachable on every server's address and through its Floating IPs. */
  ports: readonly number[];
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** Wall-clock limit of each VM (a watchdog kills it even if this process died). */
  deadlineMs: number;
  log?: (message: string) => void;
}

interface Disk {
  file: string;
  kernel?: string;
  initrd?: string;
}

interface Entry {
  server: BackendServer;
  machine: Machine;
  /** The snapshot its overlay reads from, if any (kept until the server is gone). */
  snapshot?: number;
  /** Set while we stop it ourselves (power off, delete): no "stopped by itself" report. */
  expected: boolean;
  stopped: () => void;
}

const ip4Free = (address: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, address, () => s.close(() => resolve(true)));
  });

export class VmBackend implements ServerBackend {
  readonly dir: string;
  private readonly servers = new Map<number, Entry>();
  private readonly snapshots = new Map<number, Disk & { deleted?: boolean }>();
  private readonly proxy: FloatingProxy;
  private readonly monitor: NodeJS.Timeout;
  private nextServer = 0;
  private nextFloating = 0;

  constructor(private readonly o: VmBackendOptions) {
    this.dir = join(o.root, "local-cloud", String(process.pid));
    this.proxy = new FloatingProxy(o.ports);
    this.monitor = setInterval(() => this.watch(), 1000);
    this.monitor.unref();
  }

  /** The next loopback address whose ports nothing else holds (a leftover VM may still). */
  async allocateServerIp(): Promise<string> {
    for (;;) {
      const address = serverAddress(this.nextServer++);
      const free = await Promise.all(this.o.ports.map((p) => ip4Free(address, p)));
      if (free.every(Boolean)) return address;
      this.o.log?.(`${address}: a port is in use, skipping it`);
    }
  }

  allocateFloatingIp(): string {
    return floatingAddress(this.nextFloating++);
  }

  async create(server: BackendServer, image: Image, boot: BootData, stopped: () => void): Promise<void> {
    const disk = await this.diskOf(image);
    const paths = vmPaths(this.dir, `server-${server.id}`);
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    await run(overlayArgv(disk.file, paths.disk));
    await this.seed(paths, server, boot);
    const machine = new Machine({
      name: server.name,
      paths,
      kernel: disk.kernel,
      initrd: disk.initrd,
      address: server.ip,
      ports: this.o.ports,
      accel: this.o.accel,
      memoryMiB: this.o.memoryMiB,
      cpus: this.o.cpus,
      deadlineMs: this.o.deadlineMs,
    });
    this.servers.set(server.id, {
      server,
      machine,
      snapshot: image.type === "system" ? undefined : image.id,
      expected: false,
      stopped,
    });
    if (boot.start) await this.boot(server.id);
  }

  private async seed(paths: ReturnType<typeof vmPaths>, server: BackendServer, boot: BootData): Promise<void> {
    await writeFile(paths.userData, maybeB64Decode(boot.userData), { mode: 0o600 });
    await writeFile(paths.metaData, localMetaData(server.id, hostnameFor(server.name), boot.sshKeys));
    await run(seedArgv(paths.seed, paths.userData, paths.metaData));
    // The seed holds the user-data's secrets: keep only it, mode 0600.
    await rm(paths.userData);
    await run(["chmod", "0600", paths.seed]);
  }

  /** A system image's base disk (built on first use, as preview does) or one of our snapshots. */
  private async diskOf(image: Image): Promise<Disk> {
    if (image.type !== "system") {
      const snap = this.snapshots.get(image.id);
      if (!snap || snap.deleted) throw new Error(localCloud.noDisk(image.id));
      return snap;
    }
    const release = releaseFor(image.name ?? "");
    if (!release) throw new Error(localCloud.noBase(String(image.name)));
    const base =
      (await findBase(this.o.root, release)) ??
      (await buildBase(this.o.root, { ...DEFAULT_BASE, release }, (m) => this.o.log?.(`build-base ${release}: ${m}`)));
    return { file: base.disk, kernel: base.kernel, initrd: base.initrd };
  }

  private entry(id: number): Entry {
    const e = this.servers.get(id);
    if (!e) throw new Error(localCloud.noVm(id));
    return e;
  }

  private async boot(id: number): Promise<void> {
    const e = this.entry(id);
    e.expected = false;
    await e.machine.start();
    this.o.log?.(
      `server ${e.server.name} (id ${id}): qemu PID ${e.machine.pid}, ${e.server.ip} ports ${this.o.ports.join(",")}`,
    );
  }

  powerOn(id: number): Promise<void> {
    return this.boot(id);
  }

  async powerOff(id: number): Promise<void> {
    const e = this.entry(id);
    e.expected = true;
    await e.machine.powerOff();
  }

  async shutdown(id: number): Promise<void> {
    const e = this.entry(id);
    if (e.machine.running() && !(await e.machine.qmp("system_powerdown"))) throw new Error(localCloud.noShutdown(id));
  }

  async reboot(id: number): Promise<void> {
    const e = this.entry(id);
    if (!e.machine.running()) return this.boot(id);
    if (!(await e.machine.qmp("system_reset"))) throw new Error(localCloud.noReset(id));
  }

  async createImage(serverId: number, imageId: number): Promise<void> {
    const e = this.entry(serverId);
    await mkdir(join(this.dir, "snapshots"), { recursive: true, mode: 0o700 });
    const file = join(this.dir, "snapshots", `${imageId}.qcow2`);
    await run(snapshotArgv(e.machine.spec.paths.disk, file, e.machine.running()), { timeoutMs: 60 * 60_000 });
    this.snapshots.set(imageId, { file, kernel: e.machine.spec.kernel, initrd: e.machine.spec.initrd });
  }

  async deleteServer(id: number): Promise<void> {
    const e = this.servers.get(id);
    if (!e) return;
    e.expected = true;
    const pid = e.machine.pid;
    if (!(await e.machine.stop("kill"))) this.o.log?.(`server ${id}: qemu PID ${pid} still running after SIGKILL`);
    this.servers.delete(id);
    await rm(e.machine.spec.paths.dir, { recursive: true, force: true });
    if (e.snapshot !== undefined) await this.dropSnapshotIfUnused(e.snapshot);
  }

  async deleteImage(imageId: number): Promise<void> {
    const snap = this.snapshots.get(imageId);
    if (!snap) return;
    snap.deleted = true;
    await this.dropSnapshotIfUnused(imageId);
  }

  /** A deleted snapshot's file stays while a server's overlay still reads from it. */
  private async dropSnapshotIfUnused(imageId: number): Promise<void> {
    const snap = this.snapshots.get(imageId);
    if (!snap?.deleted || [...this.servers.values()].some((e) => e.snapshot === imageId)) return;
    this.snapshots.delete(imageId);
    await rm(snap.file, { force: true });
  }

  /** qemu PIDs by server id, of the machines running now (status output, tests). */
  pids(): Map<number, number> {
    return new Map([...this.servers].filter(([, e]) => e.machine.running()).map(([id, e]) => [id, e.machine.pid!]));
  }

  routeFloatingIp(ip: string, server: BackendServer | undefined): Promise<void> {
    return this.proxy.route(ip, server?.ip);
  }

  /** Reports machines that stopped by themselves (guest shutdown, crash, deadline). */
  private watch(): void {
    for (const e of this.servers.values()) {
      if (e.machine.pid === undefined || e.machine.running()) continue;
      e.machine.forget();
      if (!e.expected) e.stopped();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.monitor);
    const machines = [...this.servers.values()].map((e) => e.machine);
    this.servers.clear();
    const gone = await Promise.all(machines.map((m) => m.stop("quit")));
    const left = machines.filter((_, i) => !gone[i]).map((m) => `${m.spec.name} (PID ${m.pid})`);
    killAll();
    await this.proxy.close();
    await rm(this.dir, { recursive: true, force: true });
    if (left.length) throw new Error(localCloud.qemuLeft(left));
  }
}
