// Builds a bootable Debian base image for preview from the package mirror alone (the official
// cloud images are not reachable from every machine). Runs as root: debootstrap and chroot.
import { copyFile, mkdir, readdir, rename, rm, writeFile, chmod, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { run } from "../exec.js";
import { basePaths, type BasePaths } from "./cache.js";
import {
  aptInstallArgv,
  CHROOT_ENV,
  cleanupPaths,
  convertArgv,
  debootstrapArgv,
  mkfsArgv,
  pickKernel,
  postInstallCommands,
  postInstallFiles,
  preInstallFiles,
  resizeArgv,
  type BaseOptions,
  type RootfsFile,
} from "./base-image-plan.js";
import { preview } from "../catalogue.js";

export type Progress = (message: string) => void;

async function writeRootfsFiles(rootfs: string, files: RootfsFile[]): Promise<void> {
  for (const f of files) {
    const p = join(rootfs, f.path);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, f.content);
    if (f.mode !== undefined) await chmod(p, f.mode);
  }
}

async function timed<T>(progress: Progress, label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  progress(`${label} ...`);
  const r = await fn();
  progress(`${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return r;
}

async function removeHostKeys(rootfs: string): Promise<void> {
  const dir = join(rootfs, "etc/ssh");
  for (const e of await readdir(dir)) if (e.startsWith("ssh_host_")) await rm(join(dir, e));
}

async function prepareRootfs(o: BaseOptions, rootfs: string, progress: Progress): Promise<void> {
  const env = CHROOT_ENV;
  const long = 30 * 60_000;
  await timed(progress, "debootstrap", () => run(debootstrapArgv(o, rootfs), { env, timeoutMs: long }));
  await writeRootfsFiles(rootfs, preInstallFiles(o));
  await timed(progress, "apt in chroot", async () => {
    await run(["chroot", rootfs, "apt-get", "update", "-q"], { env, timeoutMs: long });
    // debootstrap takes the release's packages; updates and security fixes come on top, as in
    // a current cloud image, so a first boot's upgrade measures what a real one does.
    await run(["chroot", rootfs, "apt-get", "dist-upgrade", "-y", "-q"], { env, timeoutMs: long });
    await run(aptInstallArgv(rootfs), { env, timeoutMs: long });
  });
  await writeRootfsFiles(rootfs, postInstallFiles());
  for (const argv of postInstallCommands(rootfs)) await run(argv, { env, timeoutMs: long });
  await removeHostKeys(rootfs);
  for (const p of cleanupPaths(rootfs)) await rm(p, { recursive: true, force: true });
  await mkdir(join(rootfs, "var/lib/apt/lists/partial"), { recursive: true });
}

/**
 * Build the base image for a release into the cache. The result is only published (manifest
 * written) when every step succeeded; a half-built directory is never mistaken for an image.
 */
export async function buildBase(root: string, o: BaseOptions, progress: Progress): Promise<BasePaths> {
  const p = basePaths(root, o.release);
  const work = `${p.dir}.build-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const rootfs = join(work, "rootfs");
    await prepareRootfs(o, rootfs, progress);
    const k = pickKernel(await readdir(join(rootfs, "boot")));
    if (!k) throw new Error(preview.noKernel(rootfs));
    await copyFile(join(rootfs, "boot", k.kernel), join(work, "vmlinuz"));
    await copyFile(join(rootfs, "boot", k.initrd), join(work, "initrd.img"));
    const raw = join(work, "disk.raw");
    await timed(progress, "mkfs.ext4 -d", () => run(mkfsArgv(rootfs, raw, o.fsSizeGiB)));
    await timed(progress, "qcow2", async () => {
      await run(convertArgv(raw, join(work, "disk.qcow2")), { timeoutMs: 20 * 60_000 });
      await run(resizeArgv(join(work, "disk.qcow2"), o.diskSizeGiB));
    });
    await rm(raw);
    await rm(rootfs, { recursive: true, force: true });
    const manifest = { release: o.release, kernel: k.kernel, mirror: o.mirror, built: new Date().toISOString() };
    await writeFile(join(work, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    await rm(p.dir, { recursive: true, force: true });
    await rename(work, p.dir);
    return p;
  } catch (e) {
    await rm(work, { recursive: true, force: true });
    throw e;
  }
}

/** The cached base image for a release, or undefined when it was never built completely. */
export async function findBase(root: string, release: string): Promise<BasePaths | undefined> {
  const p = basePaths(root, release);
  try {
    await stat(p.manifest);
    return p;
  } catch {
    return undefined;
  }
}
