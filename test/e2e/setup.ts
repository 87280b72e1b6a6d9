// What every VM test needs on the host: the tools (missing ones fail loudly with what to install),
// the cached base image (built by the tool itself), the loopback registry with the test images,
// a throwaway SFTP backup target, and the secrets the fixture configs reference.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasProgram, run } from "../../src/exec.js";
import { stopAll } from "../../src/vm/process.js";
import { buildBase, findBase } from "../../src/vm/base-image.js";
import { DEFAULT_BASE } from "../../src/vm/base-image-plan.js";
import { cacheRoot, type BasePaths } from "../../src/vm/cache.js";
import { ensureRegistry, GUEST_REGISTRY, REGISTRY_PORT } from "../helpers/registry.js";
import { ensureTestImages } from "../helpers/test-image.js";
import { startSftp, type SftpServer } from "./sftp-server.js";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURES = join(REPO, "test/e2e/fixtures");
export const DEMO_IDENTITY = join(REPO, "examples/demo-identity.txt");
export const SFTP_PORT = 2299;

const TOOLS: [string, string][] = [
  ["qemu-system-x86_64", "qemu-system-x86"],
  ["qemu-img", "qemu-utils"],
  ["cloud-localds", "cloud-image-utils"],
  ["debootstrap", "debootstrap"],
  ["mkfs.ext4", "e2fsprogs"],
  ["buildah", "buildah"],
  ["docker-registry", "docker-registry"],
  ["rclone", "rclone"],
  ["age", "age"],
  ["zstd", "zstd"],
  ["sqlite3", "sqlite3"],
  ["pg_restore", "postgresql-client"],
  ["ssh", "openssh-client"],
  ["start-stop-daemon", "dpkg"],
];

export async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const [bin, pkg] of TOOLS) if (!(await hasProgram(bin))) missing.push(`${bin} (apt-get install ${pkg})`);
  if (missing.length) throw new Error(`the VM e2e tests cannot run; missing: ${missing.join(", ")}`);
  if (process.getuid?.() !== 0) throw new Error("the VM e2e tests need root (debootstrap, chroot, buildah)");
  // Fail loudly when this qemu has no software emulation at all (not a skip).
  const accels = await run(["qemu-system-x86_64", "-accel", "help"], { timeoutMs: 30_000 });
  if (!/\btcg\b/.test(accels.stdout)) throw new Error(`qemu-system-x86_64 offers no TCG: ${accels.stdout}`);
}

export interface E2eHost {
  root: string;
  base: BasePaths;
  sftp: SftpServer;
  registryPid?: number;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function setupHost(log: (m: string) => void): Promise<E2eHost> {
  await requireTools();
  const root = cacheRoot();
  const base = (await findBase(root, "trixie")) ?? (await buildBase(root, { ...DEFAULT_BASE, release: "trixie" }, log));
  const registryPid = await ensureRegistry(root);
  await ensureTestImages(`127.0.0.1:${REGISTRY_PORT}`, join(root, "images-work"), log);
  const sftp = await startSftp(root, SFTP_PORT, "backup");
  const identity =
    readFileSync(DEMO_IDENTITY, "utf8")
      .split("\n")
      .find((l) => l.startsWith("AGE-SECRET-KEY-")) ?? "";
  const env = {
    ...process.env,
    FIRSTBOOT_SECRET_APP_TOKEN: "e2e-app-token",
    FIRSTBOOT_SECRET_BACKUP_KEY: sftp.clientKey,
    FIRSTBOOT_SECRET_RESTORE_IDENTITY: identity,
    FIRSTBOOT_SECRET_POSTGRES_PASSWORD: "e2e-pg-password",
  };
  void GUEST_REGISTRY;
  return {
    root,
    base,
    sftp,
    registryPid,
    env,
    stop: async () => {
      await stopAll([
        { pid: sftp.pid, what: "rclone serve sftp", marker: "rclone" },
        ...(registryPid ? [{ pid: registryPid, what: "docker-registry", marker: "docker-registry" }] : []),
      ]);
    },
  };
}
