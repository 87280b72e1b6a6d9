// The fake's VM mode without VMs: command lines and meta-data as data, the backend seam driven
// through the real routes by a recording stub, and the Floating IP relay on loopback sockets.
import { mkdirSync, mkdtempSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeState, handle } from "../../src/fake-cloud/index.js";
import type { BackendServer, BootData, ServerBackend } from "../../src/fake-cloud/backend.js";
import { FloatingProxy } from "../../src/fake-cloud/floating-proxy.js";
import {
  floatingAddress,
  localMetaData,
  localNetdev,
  localQemuArgv,
  parsePorts,
  qmpLines,
  serverAddress,
  snapshotArgv,
} from "../../src/fake-cloud/vm-argv.js";
import { Machine } from "../../src/fake-cloud/vm-machine.js";
import { VirtualClock } from "../../src/clock.js";
import { vmPaths } from "../../src/vm/cache.js";

describe("VM mode command lines", () => {
  it("gives servers and Floating IPs their own loopback addresses", () => {
    expect([serverAddress(0), serverAddress(1), floatingAddress(0)]).toEqual(["127.0.0.2", "127.0.0.3", "127.0.1.2"]);
    expect(() => serverAddress(253)).toThrow(/no loopback address/);
  });

  it("forwards each port on the server's own address", () => {
    expect(localNetdev("127.0.0.5", [22, 80])).toBe(
      "user,id=n0,hostfwd=tcp:127.0.0.5:22-:22,hostfwd=tcp:127.0.0.5:80-:80",
    );
    const argv = localQemuArgv({
      name: "firstboot-local-web-1",
      address: "127.0.0.5",
      ports: [22, 443],
      accel: { kind: "tcg", reason: "test" },
      memoryMiB: 2048,
      cpus: 2,
      disk: "/d/disk.qcow2",
      seed: "/d/seed.img",
      kernel: "/b/vmlinuz",
      initrd: "/b/initrd.img",
      serialLog: "/d/serial.log",
      qmp: "/d/qmp.sock",
      pidfile: "/d/qemu.pid",
    });
    expect(argv[argv.indexOf("-netdev") + 1]).toBe(
      "user,id=n0,hostfwd=tcp:127.0.0.5:22-:22,hostfwd=tcp:127.0.0.5:443-:443",
    );
    expect(argv[argv.indexOf("-name") + 1]).toBe("firstboot-local-web-1");
    expect(argv).toContain("-daemonize");
    expect(argv.join(" ")).toContain("-qmp unix:/d/qmp.sock,server=on,wait=off");
  });

  it("copies a snapshot as a standalone disk, reading a running one with -U", () => {
    expect(snapshotArgv("/s/disk.qcow2", "/snap/7.qcow2", false)).toEqual([
      "qemu-img",
      "convert",
      "-O",
      "qcow2",
      "/s/disk.qcow2",
      "/snap/7.qcow2",
    ]);
    expect(snapshotArgv("/s/disk.qcow2", "/snap/7.qcow2", true)).toContain("-U");
  });

  it("describes the server in meta-data as Hetzner's metadata service does", () => {
    expect(localMetaData(1001, "web-1", ["ssh-ed25519 AAAA k"])).toBe(
      'instance-id: 1001\nlocal-hostname: web-1\npublic-keys:\n  - "ssh-ed25519 AAAA k"\n',
    );
    expect(localMetaData(1, "a", [])).toBe("instance-id: 1\nlocal-hostname: a\n");
  });

  it("negotiates QMP capabilities before the command; parses port lists", () => {
    expect(
      qmpLines("system_powerdown")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).execute),
    ).toEqual(["qmp_capabilities", "system_powerdown"]);
    expect(parsePorts("22, 80,443,80")).toEqual([22, 80, 443]);
    expect(parsePorts("22,x")).toBeUndefined();
    expect(parsePorts("")).toBeUndefined();
  });
});

/** Records every call; each piece of work finishes when the test says so. */
class StubBackend implements ServerBackend {
  calls: string[] = [];
  pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  stopped = new Map<number, () => void>();
  private n = 0;
  private work(key: string): Promise<void> {
    this.calls.push(key);
    return new Promise((resolve, reject) => this.pending.set(key, { resolve, reject }));
  }
  finish(key: string, error?: Error): Promise<void> {
    const p = this.pending.get(key);
    if (!p) throw new Error(`no pending ${key}: ${[...this.pending.keys()].join(", ")}`);
    if (error) p.reject(error);
    else p.resolve();
    return new Promise((r) => setTimeout(r, 0));
  }
  allocateServerIp = async () => `127.0.0.${2 + this.n++}`;
  allocateFloatingIp = () => "127.0.1.2";
  create(s: BackendServer, image: { name?: string | null }, boot: BootData, stopped: () => void) {
    this.stopped.set(s.id, stopped);
    return this.work(`create ${s.name} ${s.ip} ${image.name} start=${boot.start} keys=${boot.sshKeys.length}`);
  }
  powerOn = (id: number) => this.work(`poweron ${id}`);
  powerOff = (id: number) => this.work(`poweroff ${id}`);
  shutdown = (id: number) => this.work(`shutdown ${id}`);
  reboot = (id: number) => this.work(`reboot ${id}`);
  createImage = (s: number, i: number) => this.work(`image ${s} ${i}`);
  deleteServer = (id: number) => this.work(`delete ${id}`);
  deleteImage = async (id: number) => void this.calls.push(`delete image ${id}`);
  routeFloatingIp = (ip: string, s?: BackendServer) => this.work(`route ${ip} ${s?.ip ?? "nowhere"}`);
  close = async () => undefined;
}

function project() {
  const backend = new StubBackend();
  const state = new FakeState({ clock: new VirtualClock(), backend });
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await handle(state, method, `/v1${path}`, body === undefined ? "" : JSON.stringify(body), "Bearer t");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers of any shape, read field by field
    return r.body as Record<string, any>;
  };
  const status = async (id: number) => (await call("GET", `/servers/${id}`)).server.status as string;
  const action = async (id: number) =>
    (await call("GET", `/actions/${id}`)).action as { status: string; error: { message: string } | null };
  return { backend, state, call, status, action };
}

describe("VM mode through the API routes (stub backend)", () => {
  it("create lasts until the machine is booted; the public IP is the backend's", async () => {
    const p = project();
    const r = await p.call("POST", "/servers", {
      name: "web-1",
      server_type: "cx23",
      image: "debian-13",
      location: "nbg1",
      user_data: "#cloud-config\n",
    });
    expect(r.server.public_net.ipv4.ip).toBe("127.0.0.2");
    expect(p.backend.calls).toEqual(["create web-1 127.0.0.2 debian-13 start=true keys=0"]);
    expect((await p.action(r.action.id)).status).toBe("running");
    expect((await p.action(r.next_actions[0].id)).status).toBe("running");
    await p.backend.finish(p.backend.calls[0]!);
    expect((await p.action(r.next_actions[0].id)).status).toBe("success");
    expect(await p.status(r.server.id)).toBe("running");
  });

  it("a failed boot fails the actions with the machine's error", async () => {
    const p = project();
    const r = await p.call("POST", "/servers", {
      name: "web-1",
      server_type: "cx23",
      image: "debian-13",
      location: "nbg1",
    });
    await p.backend.finish(p.backend.calls[0]!, new Error("qemu: Could not set up host forwarding rule"));
    const a = await p.action(r.action.id);
    expect(a.status).toBe("error");
    expect(a.error?.message).toContain("host forwarding");
  });

  it("shutdown only presses the button: the server is off when the machine says so", async () => {
    const p = project();
    const r = await p.call("POST", "/servers", {
      name: "web-1",
      server_type: "cx23",
      image: "debian-13",
      location: "nbg1",
    });
    const id = r.server.id as number;
    await p.backend.finish(p.backend.calls[0]!);
    const sd = await p.call("POST", `/servers/${id}/actions/shutdown`);
    await p.backend.finish(`shutdown ${id}`);
    expect((await p.action(sd.action.id)).status).toBe("success");
    expect(await p.status(id)).toBe("running");
    p.backend.stopped.get(id)!();
    expect(await p.status(id)).toBe("off");
    const img = await p.call("POST", `/servers/${id}/actions/create_image`, {
      type: "snapshot",
      description: "golden",
    });
    expect((await p.call("GET", `/images/${img.image.id}`)).image.status).toBe("creating");
    await p.backend.finish(`image ${id} ${img.image.id}`);
    expect((await p.call("GET", `/images/${img.image.id}`)).image.status).toBe("available");
    const on = await p.call("POST", `/servers/${id}/actions/poweron`);
    await p.backend.finish(`poweron ${id}`);
    expect((await p.action(on.action.id)).status).toBe("success");
    expect(await p.status(id)).toBe("running");
    await p.call("DELETE", `/images/${img.image.id}`);
    expect(p.backend.calls).toContain(`delete image ${img.image.id}`);
  });

  it("Floating IPs are routed on assign and unassign, and away from a deleted server", async () => {
    const p = project();
    const r = await p.call("POST", "/servers", {
      name: "web-1",
      server_type: "cx23",
      image: "debian-13",
      location: "nbg1",
    });
    await p.backend.finish(p.backend.calls[0]!);
    const fip = await p.call("POST", "/floating_ips", { type: "ipv4", home_location: "nbg1", name: "web" });
    expect(fip.floating_ip.ip).toBe("127.0.1.2");
    await p.call("POST", `/floating_ips/${fip.floating_ip.id}/actions/assign`, { server: r.server.id });
    await p.backend.finish("route 127.0.1.2 127.0.0.2");
    expect((await p.call("GET", `/floating_ips/${fip.floating_ip.id}`)).floating_ip.server).toBe(r.server.id);
    await p.call("DELETE", `/servers/${r.server.id}`);
    await p.backend.finish(`delete ${r.server.id}`);
    expect(p.backend.calls.at(-1)).toBe("route 127.0.1.2 nowhere");
    expect((await p.call("GET", `/floating_ips/${fip.floating_ip.id}`)).floating_ip.server).toBeNull();
  });
});

describe("FloatingProxy", () => {
  const servers: Server[] = [];
  let proxy: FloatingProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    for (const s of servers.splice(0)) s.close();
  });

  const listen = (address: string, port: number, reply: string): Promise<void> =>
    new Promise((resolve) => {
      const s = createServer((c) => c.on("data", () => c.write(reply)));
      servers.push(s);
      s.listen(port, address, () => resolve());
    });
  const ask = (address: string, port: number): Promise<string> =>
    new Promise((resolve) => {
      const c = connect(port, address, () => c.write("?"));
      let got = "";
      c.on("data", (d) => ((got += d.toString()), c.end()));
      c.on("error", () => resolve("refused"));
      c.on("close", () => resolve(got || "closed"));
    });

  it("relays to the assigned server, switches on reassignment and refuses when unassigned", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    await listen("127.0.0.251", port, "blue");
    await listen("127.0.0.252", port, "green");
    proxy = new FloatingProxy([port]);
    await proxy.route("127.0.1.251", "127.0.0.251");
    expect(await ask("127.0.1.251", port)).toBe("blue");
    await proxy.route("127.0.1.251", "127.0.0.252");
    expect(await ask("127.0.1.251", port)).toBe("green");
    expect(proxy.targetOf("127.0.1.251")).toBe("127.0.0.252");
    await proxy.route("127.0.1.251", undefined);
    expect(await ask("127.0.1.251", port)).toBe("closed");
  });
});

describe("Machine.qmp", () => {
  it("negotiates capabilities, sends the command and reports whether qemu answered", async () => {
    const paths = vmPaths(mkdtempSync(join(tmpdir(), "fb-qmp-")), "m");
    mkdirSync(paths.dir, { recursive: true });
    const got: string[] = [];
    const qemu = createServer((c) => {
      c.write('{"QMP": {"version": {}, "capabilities": []}}\r\n');
      c.on("data", (d) => {
        for (const line of d.toString().split("\n").filter(Boolean)) {
          got.push(JSON.parse(line).execute);
          c.write('{"return": {}}\r\n');
        }
      });
    });
    await new Promise<void>((r) => qemu.listen(paths.qmp, () => r()));
    const m = new Machine({
      name: "m",
      paths,
      address: "127.0.0.9",
      ports: [22],
      accel: { kind: "tcg", reason: "t" },
      memoryMiB: 1,
      cpus: 1,
      deadlineMs: 1,
    });
    expect(await m.qmp("system_powerdown")).toBe(true);
    expect(got).toEqual(["qmp_capabilities", "system_powerdown"]);
    await new Promise<void>((r) => qemu.close(() => r()));
    expect(await m.qmp("system_reset")).toBe(false);
  });
});
