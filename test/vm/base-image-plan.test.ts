import { describe, expect, it } from "vitest";
import {
  aptInstallArgv,
  cleanupPaths,
  debootstrapArgv,
  DEFAULT_BASE,
  GUEST_PACKAGES,
  mkfsArgv,
  pickKernel,
  postInstallFiles,
  preInstallFiles,
} from "../../src/vm/base-image-plan.js";

const o = { ...DEFAULT_BASE, release: "trixie" };

describe("base image plan", () => {
  it("debootstraps minbase from the mirror", () => {
    expect(debootstrapArgv(o, "/w/rootfs")).toEqual([
      "debootstrap",
      "--variant=minbase",
      "trixie",
      "/w/rootfs",
      "http://deb.debian.org/debian",
    ]);
  });
  it("installs cloud-init, kernel and networkd/resolved in the chroot without Recommends, and no ifupdown", () => {
    const argv = aptInstallArgv("/w/rootfs");
    expect(argv.slice(0, 3)).toEqual(["chroot", "/w/rootfs", "apt-get"]);
    expect(argv).toContain("--no-install-recommends");
    for (const p of ["cloud-init", "linux-image-amd64", "openssh-server", "systemd-resolved", "sudo"])
      expect(argv).toContain(p);
    expect(GUEST_PACKAGES).not.toContain("ifupdown");
  });
  it("writes explicit apt sources for release, updates and security", () => {
    const src = preInstallFiles(o).find((f) => f.path === "etc/apt/sources.list.d/debian.sources")?.content ?? "";
    expect(src).toContain("Suites: trixie trixie-updates");
    expect(src).toContain("Suites: trixie-security");
    expect(src).not.toContain("backports");
  });
  it("blocks service starts during the build and removes the block afterwards", () => {
    expect(preInstallFiles(o).find((f) => f.path === "usr/sbin/policy-rc.d")?.content).toContain("exit 101");
    expect(cleanupPaths("/r")).toContain("/r/usr/sbin/policy-rc.d");
  });
  it("turns off initramfs rebuilds and leaves an EMPTY machine-id (not a missing one)", () => {
    const post = postInstallFiles();
    expect(post.find((f) => f.path === "etc/initramfs-tools/update-initramfs.conf")?.content).toContain(
      "update_initramfs=no",
    );
    expect(post.find((f) => f.path === "etc/machine-id")).toEqual({ path: "etc/machine-id", content: "" });
  });
  it("makes the filesystem from the folder with mkfs.ext4 -d (no loop mount)", () => {
    expect(mkfsArgv("/r", "/w/disk.raw", 3)).toEqual([
      "mkfs.ext4",
      "-q",
      "-F",
      "-L",
      "root",
      "-d",
      "/r",
      "/w/disk.raw",
      "3G",
    ]);
  });
});

describe("pickKernel", () => {
  it("picks the newest kernel that has an initrd", () => {
    const boot = [
      "config-6.12.9-amd64",
      "vmlinuz-6.12.9-amd64",
      "initrd.img-6.12.9-amd64",
      "vmlinuz-6.12.10-amd64",
      "initrd.img-6.12.10-amd64",
      "vmlinuz-6.12.11-amd64",
    ];
    expect(pickKernel(boot)).toEqual({ kernel: "vmlinuz-6.12.10-amd64", initrd: "initrd.img-6.12.10-amd64" });
  });
  it("returns nothing without a pair", () => {
    expect(pickKernel(["vmlinuz-6.1.0-amd64"])).toBeUndefined();
  });
});
