// Files firstboot writes may hold secrets: create them 0600 under a temp name in the same
// directory, then rename, so a crash never leaves a partial or world-readable file behind.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  mode: number;
}

/** The error of the file that failed, with that file's path (for the caller's message). */
function tagged(err: unknown, file: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  return Object.assign(e, { file });
}

async function writeTemp(f: FileToWrite): Promise<string> {
  const tmp = join(dirname(f.path), `.${basename(f.path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", f.mode).catch((err: unknown) => {
    throw tagged(err, f.path);
  });
  try {
    await fh.writeFile(f.data);
    await fh.chmod(f.mode); // umask must not widen or narrow what we asked for
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw tagged(err, f.path);
  }
  await fh.close();
  return tmp;
}

/**
 * All files or none: each is written to a temp file in its folder, and only when every one is
 * complete are they renamed into place; a failure removes every temp file.
 */
export async function writeFilesAtomic(files: readonly FileToWrite[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const f of files) temps.push(await writeTemp(f));
    for (const [i, f] of files.entries()) {
      await rename(temps[i]!, f.path).catch((err: unknown) => {
        throw tagged(err, f.path);
      });
      temps[i] = "";
    }
  } catch (err) {
    await Promise.all(temps.filter(Boolean).map((t) => rm(t, { force: true })));
    throw err;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await writeFilesAtomic([{ path, data, mode }]);
}
