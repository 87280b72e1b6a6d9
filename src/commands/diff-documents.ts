// The work behind `firstboot diff`: read two documents back into their server files and compare.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byCodePoint } from "../compare.js";
import { pack as msg } from "../catalogue.js";
import { run } from "../exec.js";
import { DocumentError, readDocument, type DocFile } from "../render/read-document.js";
import { EXIT, Exit } from "./io.js";

/** The rest of the cloud-config is diffed as one more file, under this name. */
export const REST_LABEL = "(cloud-config without write_files)";

export interface Input {
  file: string;
  files: Map<string, DocFile>;
}

export async function readInput(file: string): Promise<Input> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new Exit(EXIT.badInput, msg.diffCannotRead(file, (err as NodeJS.ErrnoException).code ?? String(err)));
  }
  try {
    const doc = readDocument(text);
    const files = new Map(doc.files.map((f) => [f.path, f]));
    files.set(REST_LABEL, { path: REST_LABEL, mode: "", data: Buffer.from(doc.rest) });
    return { file, files };
  } catch (err) {
    if (err instanceof DocumentError) throw new Exit(EXIT.badInput, msg.diffBadInput(file, err.message));
    throw err;
  }
}

/** `diff -u` of two byte strings, labelled; "" when equal. */
async function unified(dir: string, label: string, a: Buffer | undefined, b: Buffer | undefined): Promise<string> {
  const [fa, fb] = [join(dir, "a"), join(dir, "b")];
  await writeFile(fa, a ?? "", { mode: 0o600 });
  await writeFile(fb, b ?? "", { mode: 0o600 });
  const labels = [a ? `a${label}` : "/dev/null", b ? `b${label}` : "/dev/null"];
  const r = await run(["diff", "-u", "--label", labels[0]!, "--label", labels[1]!, fa, fb], { allowFailure: true });
  if (r.exitCode > 1) throw new Error(r.stderr.trim());
  return r.stdout;
}

/** One path's part of the report: presence, mode, content. */
async function onePath(dir: string, path: string, a?: DocFile, b?: DocFile): Promise<string> {
  const head = !a ? msg.diffAdded(path, b!.mode) : !b ? msg.diffRemoved(path, a.mode) : "";
  const mode = a && b && a.mode !== b.mode ? msg.diffMode(path, a.mode, b.mode) : "";
  const lines = [head, mode].filter(Boolean).map((l) => l + "\n");
  const label = path === REST_LABEL ? ` ${path}` : path;
  const body = a && b && a.data.equals(b.data) ? "" : await unified(dir, label, a?.data, b?.data);
  return lines.join("") + body;
}

/** Everything that differs, in path order; "" when the server would get the same. */
export async function diffDocuments(a: Input, b: Input): Promise<string> {
  const paths = [...new Set([...a.files.keys(), ...b.files.keys()])].sort(byCodePoint);
  const dir = await mkdtemp(join(tmpdir(), "firstboot-diff-"));
  try {
    let out = "";
    for (const p of paths) out += await onePath(dir, p, a.files.get(p), b.files.get(p));
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
