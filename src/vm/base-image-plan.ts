// What `firstboot preview build-base` does, as data: the argv of every program it runs and the
// files it writes into the root filesystem. No loop devices and no mounts: debootstrap into a
// folder, apt inside a chroot, then `mkfs.ext4 -d` turns the folder into a disk image.
import { join } from "node:path";
import { byVersion } from "../compare.js";

export interface BaseOptions {
  release: string;
  mirror: string;
  securityMirror: string;
  /** Size of the ext4 filesystem made from the folder; cloud-init's resizefs grows it at boot. */
  fsSizeGiB: number;
  /** Virtual size of the qcow2. */
  diskSizeGiB: number;
}

export const DEFAULT_BASE: Omit<BaseOptions, "release"> = {
  mirror: "http://deb.debian.org/debian",
  securityMirror: "http://deb.debian.org/debian-security",
  fsSizeGiB: 3,
  diskSizeGiB: 20,
};

/** Installed inside the chroot (cloud-init cannot go into debootstrap --include: virtual deps). */
export const GUEST_PACKAGES = [
  "linux-image-amd64",
  "systemd-sysv",
  "udev",
  "dbus",
  "cloud-init",
  "openssh-server",
  "sudo",
  "ca-certificates",
  "systemd-resolved",
  "iproute2",
  "curl",
  "locales",
  "e2fsprogs",
  "procps",
  "netbase",
  "less",
  "zstd",
];

export function debootstrapArgv(o: BaseOptions, rootfs: string): string[] {
  return ["debootstrap", "--variant=minbase", o.release, rootfs, o.mirror];
}

export function chrootArgv(rootfs: string, ...argv: string[]): string[] {
  return ["chroot", rootfs, ...argv];
}

export function aptInstallArgv(rootfs: string): string[] {
  return chrootArgv(rootfs, "apt-get", "install", "-y", "-q", "--no-install-recommends", ...GUEST_PACKAGES);
}

export const CHROOT_ENV = {
  DEBIAN_FRONTEND: "noninteractive",
  LC_ALL: "C.UTF-8",
  PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
};

export interface RootfsFile {
  path: string;
  content: string;
  mode?: number;
}

function sources(o: BaseOptions): string {
  const suites = `${o.release} ${o.release}-updates`;
  return [
    `Types: deb\nURIs: ${o.mirror}\nSuites: ${suites}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
    `Types: deb\nURIs: ${o.securityMirror}\nSuites: ${o.release}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  ].join("\n");
}

/** Files written before the chroot install. */
export function preInstallFiles(o: BaseOptions): RootfsFile[] {
  return [
    { path: "etc/apt/sources.list.d/debian.sources", content: sources(o) },
    { path: "etc/apt/sources.list", content: "" },
    // Services must not start inside the build chroot.
    { path: "usr/sbin/policy-rc.d", content: "#!/bin/sh\nexit 101\n", mode: 0o755 },
    { path: "etc/locale.gen", content: "en_US.UTF-8 UTF-8\n" },
    // cloud-init's locale module regenerates unless the configured locale is already in place.
    { path: "etc/default/locale", content: "LANG=en_US.UTF-8\n" },
    { path: "etc/hostname", content: "localhost\n" },
    { path: "etc/fstab", content: "/dev/vda / ext4 defaults,discard,errors=remount-ro 0 1\n" },
  ];
}

/** Files written after the install, when the initrd for direct kernel boot exists. */
export function postInstallFiles(): RootfsFile[] {
  return [
    // The VM boots our copy of the kernel and initrd, never the guest's own; rebuilding the
    // initrd on every kernel or dpkg trigger costs about 10 minutes under emulation.
    { path: "etc/initramfs-tools/update-initramfs.conf", content: "update_initramfs=no\nbackup_initramfs=no\n" },
    // The seed is NoCloud: skip probing for the other datasources.
    { path: "etc/cloud/cloud.cfg.d/90_firstboot_preview.cfg", content: "datasource_list: [NoCloud, None]\n" },
    // A clone must get its own machine-id at boot: empty file, not a missing one.
    { path: "etc/machine-id", content: "" },
  ];
}

/** Commands run in the chroot after the install (network via systemd-networkd, see kvm-notes). */
export function postInstallCommands(rootfs: string): string[][] {
  return [
    chrootArgv(rootfs, "locale-gen"),
    chrootArgv(rootfs, "systemctl", "enable", "systemd-networkd.service", "systemd-resolved.service"),
    chrootArgv(rootfs, "apt-get", "clean"),
  ];
}

/** Paths removed from the rootfs before it becomes a disk: build leftovers and host keys. */
export function cleanupPaths(rootfs: string): string[] {
  return ["usr/sbin/policy-rc.d", "var/lib/apt/lists", "var/log/apt", "var/cache/apt/archives"].map((p) =>
    join(rootfs, p),
  );
}

export function mkfsArgv(rootfs: string, raw: string, sizeGiB: number): string[] {
  return ["mkfs.ext4", "-q", "-F", "-L", "root", "-d", rootfs, raw, `${sizeGiB}G`];
}

export function convertArgv(raw: string, qcow2: string): string[] {
  return ["qemu-img", "convert", "-c", "-O", "qcow2", raw, qcow2];
}

export function resizeArgv(qcow2: string, sizeGiB: number): string[] {
  return ["qemu-img", "resize", "-q", qcow2, `${sizeGiB}G`];
}

/** The newest vmlinuz-* / initrd.img-* pair in a /boot listing. */
export function pickKernel(bootEntries: string[]): { kernel: string; initrd: string } | undefined {
  const versions = bootEntries
    .filter((e) => e.startsWith("vmlinuz-"))
    .map((e) => e.slice("vmlinuz-".length))
    .filter((v) => bootEntries.includes(`initrd.img-${v}`))
    .sort(byVersion);
  const v = versions.at(-1);
  return v ? { kernel: `vmlinuz-${v}`, initrd: `initrd.img-${v}` } : undefined;
}
