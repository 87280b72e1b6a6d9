// Where preview keeps base images, VM disks, seeds, keys and logs. One place, so `rm -rf` of it
// is a complete reset and nothing lands next to the user's config by accident.
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && xdg.startsWith("/") ? xdg : join(env.HOME || homedir(), ".cache");
  return join(base, "firstboot");
}

export interface BasePaths {
  dir: string;
  disk: string;
  kernel: string;
  initrd: string;
  /** Written last: its presence means the build finished. */
  manifest: string;
}

export function basePaths(root: string, release: string): BasePaths {
  const dir = join(root, "base", release);
  return {
    dir,
    disk: join(dir, "disk.qcow2"),
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initrd.img"),
    manifest: join(dir, "manifest.json"),
  };
}

export interface VmPaths {
  dir: string;
  disk: string;
  seed: string;
  userData: string;
  metaData: string;
  serialLog: string;
  qmp: string;
  pidfile: string;
  watchdogPidfile: string;
}

export function vmPaths(root: string, name: string): VmPaths {
  const dir = join(root, "vms", name);
  return {
    dir,
    disk: join(dir, "disk.qcow2"),
    seed: join(dir, "seed.img"),
    userData: join(dir, "user-data"),
    metaData: join(dir, "meta-data"),
    serialLog: join(dir, "serial.log"),
    qmp: join(dir, "qmp.sock"),
    pidfile: join(dir, "qemu.pid"),
    watchdogPidfile: join(dir, "watchdog.pid"),
  };
}

/** The throwaway SSH key preview puts into the VM's admin user. */
export function sshKeyPath(root: string): string {
  return join(root, "ssh", "id_ed25519");
}
