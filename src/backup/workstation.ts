// The operator's side of backups: list what exists (a local directory and the target), pull one
// from the target, verify one completely (decrypt with the operator's age identity).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { backup as msg } from "../catalogue.js";
import type { BackupConfig } from "../config/schema-backup.js";
import type { Value } from "../render/part.js";
import { checkArchive, verifyBackup, type VerifyReport } from "./archive.js";
import { backupTs, latestOf, parseLineage, parseManifest } from "./manifest.js";
import { listRemote, openRemote, pullRemote, remoteLineage, type Remote } from "./remote.js";
import { readFile } from "node:fs/promises";

export interface Workstation {
  name: string;
  backup: BackupConfig;
  reveal: (v: Value) => string;
  /** Local directory for pulled backups. */
  dir: string;
  identityFile: string;
  /** Override of the target path (tests); default target:<path>/<name>. */
  remotePath?: string;
}

export interface Listed {
  base: string;
  local: boolean;
  remote: boolean;
}

async function localBackups(w: Workstation): Promise<string[]> {
  const files = await readdir(w.dir).catch(() => [] as string[]);
  const has = new Set(files);
  return files
    .filter((f) => f.endsWith(".manifest"))
    .map((f) => f.slice(0, -".manifest".length))
    .filter((b) => backupTs(b, w.name) !== undefined && has.has(`${b}.tar.zst.age`));
}

async function withRemote<T>(w: Workstation, fn: (r: Remote) => Promise<T>): Promise<T> {
  const r = await openRemote(w.backup, w.name, w.reveal, w.remotePath);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

/** Every complete backup, newest first, and where it is. */
export async function listBackups(w: Workstation): Promise<Listed[]> {
  const local = new Set(await localBackups(w));
  const remote = new Set(w.backup.target ? await withRemote(w, (r) => listRemote(r, w.name)) : []);
  return [...new Set([...local, ...remote])]
    .sort()
    .reverse()
    .map((base) => ({ base, local: local.has(base), remote: remote.has(base) }));
}

/** The live marker: the target's, or without a target one in the local dir; empty without one. */
async function lineage(w: Workstation, r?: Remote): Promise<string[]> {
  if (r) return remoteLineage(r, w.name);
  if (w.backup.target) return withRemote(w, (x) => remoteLineage(x, w.name));
  return parseLineage(await readFile(join(w.dir, `${w.name}.live`), "utf8").catch(() => ""));
}

/** "selfmx-2026...Z", "...tar.zst.age" or a path -> the base name; undefined = newest. */
function baseOf(which: string | undefined): string | undefined {
  return which === undefined ? undefined : basename(which).replace(/\.(tar\.zst\.age|manifest)$/, "");
}

/** Download a backup (default: the newest of the live generation on the target) and check its size and sha256. */
export async function pullBackup(w: Workstation, which?: string): Promise<string> {
  return withRemote(w, async (r) => {
    const base = baseOf(which) ?? latestOf(await listRemote(r, w.name), w.name, await lineage(w, r));
    if (!base) throw new Error(msg.notFound(`of ${w.name} on the target`));
    const archive = await pullRemote(r, base, w.dir);
    await checkArchive(archive, parseManifest(await readFile(join(w.dir, `${base}.manifest`), "utf8")));
    return archive;
  });
}

/** Verify a backup: a path, a name in the local dir (pulled first if only on the target), or the
 * newest of the live generation. */
export async function verify(w: Workstation, which?: string, keep = false): Promise<VerifyReport> {
  let archive = which?.endsWith(".tar.zst.age") && which.includes("/") ? which : undefined;
  if (!archive) {
    const all = await listBackups(w);
    const base =
      baseOf(which) ??
      latestOf(
        all.map((b) => b.base),
        w.name,
        await lineage(w),
      );
    const found = all.find((b) => b.base === base);
    if (!base || !found) throw new Error(msg.notFound(which ?? `of ${w.name}`));
    archive = found.local ? join(w.dir, `${base}.tar.zst.age`) : await pullBackup(w, base);
  }
  const work = await mkdtemp(join(tmpdir(), "firstboot-verify-"));
  try {
    return await verifyBackup(archive, w.identityFile, work);
  } finally {
    if (!keep) await rm(work, { recursive: true, force: true });
  }
}
