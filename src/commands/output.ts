// Files the commands write: a path that cannot take the file (a missing folder, a folder, a
// file where a folder should be, no permission, a read-only or full disk) is a diagnostic and
// exit 2, and nothing is left behind: every file goes to a temp name in its folder first and
// is renamed only once all of them are written (fs-atomic.ts).
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { cli as msg, output as out, type Advice } from "../catalogue.js";
import { formatDiagnostics } from "../config/diagnostics.js";
import { writeFilesAtomic, type FileToWrite } from "../fs-atomic.js";
import { EXIT, Exit } from "./io.js";

/** Exit 2 with a diagnostic labelled `label` (the flag or argument that named the path). */
export function outputError(label: string, file: string, advice: Advice): Exit {
  const text = formatDiagnostics([{ path: label, file, line: 0, col: 0, ...advice }]);
  return new Exit(EXIT.badInput, text + "\n" + msg.problems(1));
}

const kind = (p: string) =>
  stat(p).then(
    (s) => (s.isDirectory() ? "folder" : "file"),
    (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? "missing" : e.code === "ENOTDIR" ? "under-file" : "other"),
  );

/** Why `file` cannot be written, before anything is: its folder must exist and be one. */
async function precheck(file: string): Promise<Advice | undefined> {
  // `-o "$OUT"` with OUT unset: not a request for stdout.
  if (file === "") return out.emptyPath();
  if ((await kind(file)) === "folder") return out.isFolder(file);
  const dir = dirname(file);
  const parent = await kind(dir);
  if (parent === "missing") return out.noFolder(dir);
  if (parent !== "under-file") return parent === "file" ? out.parentIsFile(dir) : undefined;
  let culprit = dirname(dir);
  while ((await kind(culprit)) === "under-file") culprit = dirname(culprit);
  return out.parentIsFile(culprit);
}

/** What an errno from creating or renaming a file in `dir` means for the user. */
export function writeProblem(err: unknown, dir: string): Advice {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  if (code === "EACCES" || code === "EPERM") return out.denied(dir);
  if (code === "EROFS") return out.readOnly(dir);
  if (code === "ENOSPC" || code === "EDQUOT") return out.noSpace(dir);
  if (code === "ENOENT") return out.noFolder(dir);
  if (code === "EISDIR") return out.isFolder(dir);
  return out.failed(code);
}

/** Exit 2 before any work when a path cannot take a file (see precheck). */
export async function checkOutputs(label: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const why = await precheck(p);
    if (why) throw outputError(label, p, why);
  }
}

async function makeFolders(label: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    try {
      await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A file in the way is named by checkOutputs, with the part of the path that is one.
      if (code !== "EEXIST" && code !== "ENOTDIR") throw outputError(label, p, writeProblem(err, dirname(p)));
    }
  }
}

/**
 * Write every file or none. `createFolders` makes missing folders (keygen's ~/.config/firstboot);
 * otherwise a missing folder is the user's typo, reported.
 */
export async function writeOutputs(label: string, files: FileToWrite[], createFolders = false): Promise<void> {
  const paths = files.map((f) => f.path);
  if (createFolders) await makeFolders(label, paths);
  await checkOutputs(label, paths);
  try {
    await writeFilesAtomic(files);
  } catch (err) {
    const failed = (err as { file?: string }).file ?? paths[0]!;
    throw outputError(label, failed, writeProblem(err, dirname(failed)));
  }
}

/** A folder the command will write into (created when missing) must not be a file. */
export async function checkOutputFolder(label: string, dir: string): Promise<void> {
  const k = await kind(dir);
  if (k === "file" || k === "under-file") throw outputError(label, dir, out.notFolder(dir));
}
