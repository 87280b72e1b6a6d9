// render --files DIR: every file the document puts on the server, at DIR/<path on the server>
// with the server's bytes and mode, read back from the final document (read-document.ts). The
// rest of the cloud-config (users, runcmd, ...) goes to DIR/.cloud-config.yaml, 0600.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { output as outMsg, pack as msg } from "../catalogue.js";
import { readDocument } from "../render/read-document.js";
import { checkOutputFolder, outputError, writeOutputs } from "./output.js";

export const REST_FILE = ".cloud-config.yaml";

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  return readdir(dir).then(
    (names) => names.length === 0,
    (e: NodeJS.ErrnoException) => e.code === "ENOENT",
  );
}

/** Writes all files or none; returns how many. */
export async function writeServerFiles(dir: string, document: string, force: boolean): Promise<number> {
  // An unset shell variable must not turn into the current folder.
  if (dir === "") throw outputError("--files", dir, outMsg.emptyPath());
  await checkOutputFolder("--files", dir);
  if (!force && !(await isEmptyOrMissing(dir))) throw outputError("--files", dir, msg.filesNotEmpty(dir));
  const { files, rest } = readDocument(document);
  const out = files.map((f) => ({ path: join(dir, f.path), data: f.data, mode: Number.parseInt(f.mode, 8) }));
  out.push({ path: join(dir, REST_FILE), data: Buffer.from(rest), mode: 0o600 });
  await writeOutputs("--files", out, true);
  return files.length;
}
