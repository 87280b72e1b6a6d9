// Workstation access to the backup target with rclone: the same rclone.conf the server gets,
// written to a private temp dir (0700, files 0600) and removed afterwards. Credentials are in
// that file only, never on a command line.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackupConfig } from "../config/schema-backup.js";
import { run } from "../exec.js";
import type { Value } from "../render/part.js";
import { rcloneFiles, remotePath } from "../render/backup.js";
import { backup as msg } from "../catalogue.js";
import { requireProgram } from "./archive.js";
import { backupTs, parseLineage } from "./manifest.js";

export interface Remote {
  /** rclone path of this stack's backups, e.g. target:backups/selfmx (tests may point elsewhere). */
  path: string;
  rclone(args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function openRemote(
  backup: BackupConfig,
  name: string,
  reveal: (v: Value) => string,
  path?: string,
): Promise<Remote> {
  if (!backup.target) throw new Error(msg.noTarget());
  await requireProgram("rclone");
  const dir = await mkdtemp(join(tmpdir(), "firstboot-rclone-"));
  await chmod(dir, 0o700);
  for (const f of rcloneFiles(backup.target, reveal, dir))
    await writeFile(f.path, f.content, { mode: parseInt(f.mode, 8) });
  const conf = join(dir, "rclone.conf");
  return {
    path: path ?? remotePath(backup, name),
    rclone: async (args) => (await run(["rclone", "--config", conf, ...args], { timeoutMs: 3_600_000 })).stdout,
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Complete backups (archive and manifest both present) on the target, newest first. */
export async function listRemote(r: Remote, name: string): Promise<string[]> {
  const files = (await r.rclone(["lsf", "--files-only", `${r.path}/`])).split("\n");
  const has = new Set(files);
  return files
    .filter((f) => f.endsWith(".manifest"))
    .map((f) => f.slice(0, -".manifest".length))
    .filter((b) => backupTs(b, name) !== undefined && has.has(`${b}.tar.zst.age`))
    .sort()
    .reverse();
}

/** The generations in the target's `<name>.live` marker, the live one first; empty without a marker. */
export async function remoteLineage(r: Remote, name: string): Promise<string[]> {
  const files = (await r.rclone(["lsf", "--files-only", `${r.path}/`])).split("\n");
  return files.includes(`${name}.live`) ? parseLineage(await r.rclone(["cat", `${r.path}/${name}.live`])) : [];
}

/** Download one backup (archive + manifest) into `dir`; returns the local archive path. */
export async function pullRemote(r: Remote, base: string, dir: string): Promise<string> {
  for (const ext of [".manifest", ".tar.zst.age"])
    await r.rclone(["copyto", `${r.path}/${base}${ext}`, join(dir, base + ext)]);
  return join(dir, `${base}.tar.zst.age`);
}
