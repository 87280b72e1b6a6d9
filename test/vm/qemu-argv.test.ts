import { describe, expect, it } from "vitest";
import {
  accelLabel,
  chooseAccel,
  guestCrashed,
  kernelCmdline,
  netdevArg,
  overlayArgv,
  qemuArgv,
  type QemuSpec,
} from "../../src/vm/qemu-argv.js";

const spec: QemuSpec = {
  accel: { kind: "tcg", reason: "test" },
  memoryMiB: 2048,
  cpus: 2,
  disk: "/c/d.qcow2",
  seed: "/c/seed.img",
  kernel: "/b/vmlinuz",
  initrd: "/b/initrd.img",
  serialLog: "/c/serial.log",
  qmp: "/c/qmp.sock",
  pidfile: "/c/qemu.pid",
  forwards: [
    { proto: "tcp", host: 40022, guest: 22 },
    { proto: "udp", host: 40443, guest: 443 },
  ],
};

function after(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1] ?? ""] : []));
}

describe("chooseAccel", () => {
  it("uses KVM only with vmx/svm and /dev/kvm", () => {
    expect(chooseAccel("flags\t\t: fpu vme vmx sse\n", true)).toEqual({ kind: "kvm" });
    expect(chooseAccel("flags\t\t: fpu svm\n", true)).toEqual({ kind: "kvm" });
  });
  it("falls back to TCG on a PVM /dev/kvm (no vmx/svm flag) and says why", () => {
    const a = chooseAccel("flags\t\t: fpu vme sse hypervisor\nvmx flags\t: none\n", true);
    expect(a.kind).toBe("tcg");
    expect(accelLabel(a)).toMatch(/^TCG .*no vmx\/svm/);
  });
  it("falls back to TCG without /dev/kvm", () => {
    expect(chooseAccel("flags : vmx\n", false)).toEqual({ kind: "tcg", reason: "no /dev/kvm" });
  });
});

describe("qemuArgv", () => {
  it("boots the kernel directly with the overlay and read-only seed on virtio", () => {
    const argv = qemuArgv(spec);
    expect(argv[0]).toBe("qemu-system-x86_64");
    expect(after(argv, "-kernel")).toEqual(["/b/vmlinuz"]);
    expect(after(argv, "-append")).toEqual([kernelCmdline()]);
    expect(after(argv, "-drive")).toEqual([
      "file=/c/d.qcow2,if=virtio,format=qcow2,discard=unmap",
      "file=/c/seed.img,if=virtio,format=raw,readonly=on",
    ]);
  });
  it("uses multi-threaded TCG with -cpu max, or KVM with -cpu host", () => {
    expect(after(qemuArgv(spec), "-accel")).toEqual(["tcg,thread=multi"]);
    expect(after(qemuArgv(spec), "-cpu")).toEqual(["max"]);
    expect(after(qemuArgv({ ...spec, singleThread: true }), "-accel")).toEqual(["tcg,thread=single"]);
    expect(after(qemuArgv({ ...spec, accel: { kind: "kvm" } }), "-accel")).toEqual(["kvm"]);
    expect(after(qemuArgv({ ...spec, accel: { kind: "kvm" } }), "-cpu")).toEqual(["host"]);
  });
  it("forwards only to the host's loopback", () => {
    expect(netdevArg(spec.forwards)).toBe(
      "user,id=n0,hostfwd=tcp:127.0.0.1:40022-:22,hostfwd=udp:127.0.0.1:40443-:443",
    );
    expect(after(qemuArgv(spec), "-netdev")[0]).not.toMatch(/hostfwd=(tcp|udp)::/);
  });
  it("daemonizes with a pidfile, serial to a file, a QMP socket, and exits on guest panic", () => {
    const argv = qemuArgv(spec);
    expect(argv).toContain("-daemonize");
    expect(after(argv, "-pidfile")).toEqual(["/c/qemu.pid"]);
    expect(after(argv, "-serial")).toEqual(["file:/c/serial.log"]);
    expect(after(argv, "-qmp")).toEqual(["unix:/c/qmp.sock,server=on,wait=off"]);
    expect(after(argv, "-action")).toEqual(["panic=exit-failure"]);
    expect(kernelCmdline()).toContain("oops=panic");
  });
});

describe("overlayArgv", () => {
  it("creates a qcow2 backed by the base, never writing the base", () => {
    expect(overlayArgv("/b/disk.qcow2", "/c/d.qcow2")).toEqual([
      "qemu-img",
      "create",
      "-q",
      "-f",
      "qcow2",
      "-F",
      "qcow2",
      "-b",
      "/b/disk.qcow2",
      "/c/d.qcow2",
    ]);
  });
});

describe("guestCrashed", () => {
  it("finds a kernel oops or panic in the serial log", () => {
    expect(guestCrashed("[ 12.3] int3: 0000 [#1] PREEMPT SMP\n[ 12.4] Oops: int3: 0000 [#1]\n")).toBe(
      "Oops: int3: 0000 [#1]",
    );
    expect(guestCrashed("[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n")).toMatch(/^Kernel panic/);
  });
  it("ignores a healthy boot", () => {
    expect(guestCrashed("[ 24.0] systemd-ssh-generator failed with exit status 1\ncloud-init done\n")).toBeUndefined();
  });
});

describe("qemuArgv without a kernel", () => {
  it("boots the disk's own bootloader (an official cloud image given with --base-image)", () => {
    const argv = qemuArgv({ ...spec, kernel: undefined, initrd: undefined });
    expect(argv).not.toContain("-kernel");
    expect(argv).not.toContain("-append");
  });
});
