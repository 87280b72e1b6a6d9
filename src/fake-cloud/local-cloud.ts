// The local cloud: the fake Hetzner API in VM mode. build-image, up and replace run against it
// unchanged (only HCLOUD_ENDPOINT differs); servers are qemu VMs, snapshots are disk files,
// server and Floating IPs are loopback addresses. Used by `firstboot local-cloud start` and the
// e2e tests.
import { existsSync, readFileSync } from "node:fs";
import { startFakeApi, type FakeApi, type ListenOptions } from "./http.js";
import { chooseAccel, type Accel } from "../vm/qemu-argv.js";
import { VmBackend } from "./vm-backend.js";

export interface LocalCloudOptions extends ListenOptions {
  root: string;
  ports: readonly number[];
  memoryMiB: number;
  cpus: number;
  deadlineMs: number;
  log?: (message: string) => void;
}

export interface LocalCloud {
  api: FakeApi;
  backend: VmBackend;
  accel: Accel;
}

export async function startLocalCloud(o: LocalCloudOptions): Promise<LocalCloud> {
  const accel = chooseAccel(readFileSync("/proc/cpuinfo", "utf8"), existsSync("/dev/kvm"));
  const backend = new VmBackend({
    root: o.root,
    ports: o.ports,
    accel,
    memoryMiB: o.memoryMiB,
    cpus: o.cpus,
    deadlineMs: o.deadlineMs,
    log: o.log,
  });
  try {
    // No artificial action durations: the machines take the time they take.
    const api = await startFakeApi({ port: o.port, host: o.host, onReply: o.onReply, backend });
    return { api, backend, accel };
  } catch (e) {
    await backend.close();
    throw e;
  }
}
