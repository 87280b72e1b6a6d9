// Reading a YAML file firstboot must diagnose rather than crash on: a regular file (a pipe would
// block, /dev/zero never end), small (the parser reads about 100 KB a second of dense YAML on a busy machine, and
// everything must fit 32 KiB of user-data anyway), UTF-8 text (binary would be printed as the
// source line of a diagnostic), then parsed with positions and checked (yaml-problems.ts).
import { isUtf8 } from "node:buffer";
import { constants } from "node:fs";
import { isCollection, isDocument, isPair, visit, type Document, type Node } from "yaml";
import { open } from "node:fs/promises";
import { yaml as msg } from "../catalogue.js";
import type { Diagnostic } from "./diagnostics.js";
import { parseSource, type Source } from "./source.js";
import { yamlProblems, type YamlCheck } from "./yaml-problems.js";

/** The config and the compose file are a few KiB; this bounds time and memory, not real files. */
export const MAX_YAML_BYTES = 128 * 1024;

export type YamlText = { ok: true; text: string } | { ok: false; diagnostics: Diagnostic[] };
export type YamlFile = { ok: true; src: Source; data: unknown } | { ok: false; diagnostics: Diagnostic[] };

const whole = (file: string, advice: { message: string; hint?: string }): YamlText => ({
  ok: false,
  diagnostics: [{ path: "", file, line: 0, col: 0, ...advice }],
});

/** A problem at byte `offset` of the file: line and column, without printing the (binary) line. */
function atByte(bytes: Uint8Array, offset: number, file: string, advice: { message: string; hint?: string }): YamlText {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) [line, start] = [line + 1, i + 1];
  return { ok: false, diagnostics: [{ path: "", file, line, col: offset - start + 1, ...advice }] };
}

/** Where UTF-8 decoding first fails (or a NUL stands), or -1 for clean text. */
function firstBadByte(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >> 5 === 6 ? 2 : c >> 4 === 14 ? 3 : c >> 3 === 30 ? 4 : 0;
    if (c === 0 || n === 0 || i + n > b.length) return i;
    // Overlong forms, surrogates and values past U+10FFFF: the strict decoder has the last word.
    if (n > 1 && !isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return -1;
}

/** The text of the file at `path` (named `shown` in messages), or why it cannot be used. */
export async function readYamlText(path: string, shown: string): Promise<YamlText> {
  let fh;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return whole(shown, msg.unreadable(shown, (err as NodeJS.ErrnoException).code ?? String(err)));
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) return whole(shown, msg.unreadable(shown, "EISDIR"));
    if (!st.isFile()) return whole(shown, msg.unreadable(shown, "special"));
    // Read one byte past the limit: a file may grow after stat (and /proc files say 0). The
    // diagnostic points where the limit is crossed.
    const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_YAML_BYTES)
      return atByte(buf, MAX_YAML_BYTES, shown, msg.tooLarge(shown, Math.max(st.size, bytesRead), MAX_YAML_BYTES));
    return decode(buf.subarray(0, bytesRead), shown);
  } catch (err) {
    return whole(shown, msg.unreadable(shown, (err as NodeJS.ErrnoException).code ?? String(err)));
  } finally {
    await fh.close();
  }
}

/** UTF-8 text without NUL bytes (YAML allows neither), or a problem naming the file. */
export function decode(bytes: Uint8Array, shown: string): YamlText {
  const bad = firstBadByte(bytes);
  if (bad >= 0) return atByte(bytes, bad, shown, msg.notText(shown));
  return { ok: true, text: new TextDecoder("utf-8").decode(bytes) };
}

/** Parse checked text; `data` is its value once every problem is ruled out (aliases included). */
export function parseYaml(shown: string, text: string, check: YamlCheck = {}): YamlFile {
  const src = parseSource(shown, text);
  const diagnostics = yamlProblems(src, check);
  if (diagnostics.length) return { ok: false, diagnostics };
  return { ok: true, src, data: expandAliases(src.doc).toJS({ maxAliasCount: -1 }) };
}

/**
 * A copy of the document with every alias replaced by the node it repeats. yaml's own
 * conversion looks each alias up by a walk over the whole file (minutes for 30,000 aliases) and
 * refuses an anchor used over 100 times; yamlProblems has ruled out loops and bounded what
 * aliases expand to, so the copy is safe to convert.
 */
function expandAliases(doc: Document.Parsed): Document {
  const copy = doc.clone();
  const anchors = new Map<string, Node>();
  const remember = (_key: unknown, node: Node) => void (node.anchor && anchors.set(node.anchor, node));
  visit(copy, {
    Map: remember,
    Seq: remember,
    Scalar: remember,
    Alias: (key, alias, path) => {
      const target = anchors.get(alias.source);
      const parent = path[path.length - 1];
      if (!target) return;
      if (isCollection(parent)) parent.items[key as number] = target;
      else if (isPair(parent)) parent[key as "key" | "value"] = target;
      else if (isDocument(parent)) parent.contents = target;
      // The target was walked where it stands; walking it again could re-register its anchors.
      return visit.SKIP;
    },
  });
  return copy;
}

/** Read and parse a YAML file: the checked source and its value, or every problem. */
export async function loadYamlFile(path: string, shown: string, check: YamlCheck = {}): Promise<YamlFile> {
  const read = await readYamlText(path, shown);
  return read.ok ? parseYaml(shown, read.text, check) : read;
}
