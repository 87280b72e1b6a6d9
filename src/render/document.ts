// The cloud-config's pieces: one write_files entry per file (plain, base64 or gzip+base64), the
// gzip+base64 tar bundle that carries many files at once, and the serialiser. pack.ts decides
// which file travels how.
import { byCodePoint } from "../compare.js";
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import type { ServerFile } from "./part.js";
import { tar } from "./tar.js";
import { BUNDLE_PATH } from "../server-contract.js";

export const USER_DATA_LIMIT = 32_768;
/** Below this the document stays plain text, readable in the Hetzner console; above it the
 *  largest files are compressed until it fits, leaving headroom under the hard limit. */
export const PLAIN_TARGET = 16_384;
const HEADER = "#cloud-config\n";

export interface WriteFile {
  path: string;
  permissions: string;
  owner?: string;
  encoding?: "gz+b64" | "b64";
  content: string;
  defer?: boolean;
}

export type Packing = "plain" | "gzip" | "bundle";

/** What the file holds on the server. */
export function fileBytes(f: ServerFile): Buffer {
  return Buffer.from(f.content, f.encoding === "b64" ? "base64" : "utf8");
}

/** level 9 and no mtime in the header: same input, same bytes. */
function gzb64(data: Buffer): string {
  return gzipSync(data, { level: 9 }).toString("base64");
}

/**
 * Characters cloud-init's YAML 1.1 parser (PyYAML) breaks or rejects in any scalar style: line
 * separators, NEL, DEL, C0/C1 controls other than tab/newline, BOM and non-characters.
 */
const YAML11_UNSAFE =
  // eslint-disable-next-line no-control-regex -- these control characters are what it looks for
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\r|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function toWriteFile(f: ServerFile, gzip = false): WriteFile {
  const item: WriteFile = { path: f.path, permissions: f.mode, content: f.content };
  // Such content travels base64 encoded: byte-for-byte whatever the parser.
  // A block scalar cannot start with indentation the parser would take as its own, and a
  // whitespace-only block loses its spaces.
  const awkward = /^[ \t]/.test(f.content) || (f.content.length > 0 && f.content.trim() === "");
  if (!gzip && (f.encoding === "b64" || YAML11_UNSAFE.test(f.content) || awkward)) {
    item.encoding = "b64";
    item.content = fileBytes(f).toString("base64");
  }
  // cloud-init's default owner is root:root: only other owners are spelled out.
  if (f.owner && f.owner !== "root:root") item.owner = f.owner;
  if (gzip) {
    item.encoding = "gz+b64";
    item.content = gzb64(fileBytes(f));
  }
  if (f.defer) item.defer = true;
  return item;
}

/** `comment`: YAML comment lines (each starting with "# ") placed right after the header. */
export function serialise(doc: Record<string, unknown>, comment: readonly string[] = []): string {
  const note = comment.map((l) => l + "\n").join("");
  return HEADER + note + stringify(doc, { lineWidth: 0, blockQuote: "literal", defaultKeyType: "PLAIN" });
}

export function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

const ITEM_OPTIONS = { lineWidth: 0, blockQuote: "literal" } as const;

export const itemBytes = (w: WriteFile) => bytes(stringify([w], ITEM_OPTIONS));

/**
 * itemBytes of each entry, from one serialisation of the list: an entry's text starts with "- "
 * at the start of a line (its keys and block scalars are indented), and the serialiser's set-up
 * per call costs more than a small entry's text.
 */
export function itemsBytes(items: readonly WriteFile[]): number[] {
  if (items.length === 0) return [];
  const text = stringify(items, ITEM_OPTIONS);
  const starts = [0];
  for (let at = text.indexOf("\n- "); at >= 0; at = text.indexOf("\n- ", at + 1)) starts.push(at + 1);
  if (starts.length !== items.length) return items.map(itemBytes);
  return starts.map((s, i) => bytes(text.slice(s, starts[i + 1] ?? text.length)));
}

/** The runcmd entries that unpack a bundle before anything else runs. */
export function bundleCommands(): string[][] {
  return [
    ["tar", "-xpmf", BUNDLE_PATH, "-C", "/"],
    ["rm", "-f", BUNDLE_PATH],
  ];
}

/** Root's files go in one tar (it compresses across files); the others keep their own entries. */
export function bundled(files: readonly ServerFile[]): { bundle: WriteFile; inside: ServerFile[]; rest: ServerFile[] } {
  const rootOwned = files.filter((f) => !f.owner || f.owner === "root:root");
  // Largest first: measured smaller than grouping by kind (ki-mail-helper: 59 bytes of gzip less).
  const ordered = [...rootOwned].sort((a, b) => b.content.length - a.content.length || byCodePoint(a.path, b.path));
  const entries = ordered.map((f) => ({
    name: f.path.replace(/^\/+/, ""),
    mode: Number.parseInt(f.mode, 8),
    content: fileBytes(f),
  }));
  const bundle: WriteFile = {
    path: BUNDLE_PATH,
    permissions: "0600",
    encoding: "gz+b64",
    content: gzb64(tar(entries)),
  };
  return { bundle, inside: rootOwned, rest: files.filter((f) => !rootOwned.includes(f)) };
}
