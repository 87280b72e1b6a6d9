// Builds the cloud-config as data and serialises it once. Files are written as plain text
// while the document is small; past PLAIN_TARGET the largest files are gzip+base64 encoded one
// by one until it fits, and rendering fails only past Hetzner's 32 KiB limit.
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import type { ServerFile } from "./part.js";

export const USER_DATA_LIMIT = 32_768;
/** Below this the document stays plain text, readable in the Hetzner console; above it the
 *  largest files are compressed until it fits, leaving headroom under the hard limit. */
export const PLAIN_TARGET = 16_384;
const HEADER = "#cloud-config\n";

export interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  encoding?: "gz+b64";
  content: string;
  defer?: boolean;
}

export function toWriteFile(f: ServerFile, gzip = false): WriteFile {
  const item: WriteFile = { path: f.path, permissions: f.mode, owner: f.owner ?? "root:root", content: f.content };
  if (gzip) {
    item.encoding = "gz+b64";
    // level 9 and no mtime in the header: same input, same bytes.
    item.content = gzipSync(Buffer.from(f.content, "utf8"), { level: 9 }).toString("base64");
  }
  if (f.defer) item.defer = true;
  return item;
}

export function serialise(doc: Record<string, unknown>): string {
  return HEADER + stringify(doc, { lineWidth: 0, blockQuote: "literal", defaultKeyType: "PLAIN" });
}

export function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Serialise doc with files as write_files, compressing the largest files first only while the
 * document is over the target. Returns the text and which files ended up compressed.
 */
export function fitDocument(head: Record<string, unknown>, files: ServerFile[], tail: Record<string, unknown>, target = PLAIN_TARGET) {
  const gz = new Set<string>();
  const build = () => serialise({ ...head, write_files: files.map((f) => toWriteFile(f, gz.has(f.path))), ...tail });
  let text = build();
  const bySize = [...files].sort((a, b) => bytes(b.content) - bytes(a.content) || a.path.localeCompare(b.path));
  for (const f of bySize) {
    if (bytes(text) <= target) break;
    const plain = toWriteFile(f).content;
    if (bytes(toWriteFile(f, true).content) >= bytes(plain)) continue;
    gz.add(f.path);
    text = build();
  }
  return { text, compressed: gz };
}
