// Builds the cloud-config as data and serialises it once. Files are written as plain text
// while the document is small; past PLAIN_TARGET the largest files are gzip+base64 encoded one
// by one; if that is not enough, root's files travel as one gzip+base64 tar bundle (which
// compresses across files) unpacked by the first runcmd. Past 32 KiB rendering fails.
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

export function serialise(doc: Record<string, unknown>): string {
  return HEADER + stringify(doc, { lineWidth: 0, blockQuote: "literal", defaultKeyType: "PLAIN" });
}

export function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

export interface Fitted {
  text: string;
  compressed: Set<string>;
  packing: Packing;
  /** Bytes each file adds to the document (its share of the bundle in bundle mode). */
  fileBytes: Map<string, number>;
}

const itemBytes = (w: WriteFile) => bytes(stringify([w], { lineWidth: 0, blockQuote: "literal" }));

function perFile(files: ServerFile[], gz: Set<string>): Map<string, number> {
  return new Map(files.map((f) => [f.path, itemBytes(toWriteFile(f, gz.has(f.path)))]));
}

/** The runcmd entries that unpack a bundle before anything else runs. */
export function bundleCommands(): string[][] {
  return [
    ["tar", "-xpmf", BUNDLE_PATH, "-C", "/"],
    ["rm", "-f", BUNDLE_PATH],
  ];
}

function bundled(files: ServerFile[]): { bundle: WriteFile; rest: ServerFile[] } {
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
  return { bundle, rest: files.filter((f) => !rootOwned.includes(f)) };
}

interface Measured {
  entry: WriteFile;
  gzEntry: WriteFile;
  plain: number;
  gz: number;
}

/** Every file's write_files entry, plain and gzipped, with its serialised size: built once. */
function measure(files: ServerFile[]): Map<string, Measured> {
  const sizes = new Map<string, Measured>();
  for (const f of files) {
    const entry = toWriteFile(f);
    const gzEntry = toWriteFile(f, true);
    sizes.set(f.path, { entry, gzEntry, plain: itemBytes(entry), gz: itemBytes(gzEntry) });
  }
  return sizes;
}

type Tail = { runcmd: string[][] } & Record<string, unknown>;

/** Largest first, so the fewest files lose their readable plain text. */
function pickGzipped(files: ServerFile[], sizes: Map<string, Measured>, estimate: number, target: number): Set<string> {
  const gz = new Set<string>();
  const bySize = [...files].sort((a, b) => bytes(b.content) - bytes(a.content) || byCodePoint(a.path, b.path));
  for (const f of bySize) {
    if (estimate <= target) break;
    const { plain, gz: packed } = sizes.get(f.path)!;
    if (packed >= plain) continue;
    gz.add(f.path);
    estimate -= plain - packed;
  }
  return gz;
}

function withBundle(
  head: Record<string, unknown>,
  files: ServerFile[],
  tail: Tail,
  sizes: Map<string, Measured>,
): Pick<Fitted, "text" | "fileBytes"> {
  const { bundle, rest } = bundled(files);
  const text = serialise({
    ...head,
    write_files: [bundle, ...rest.map((f) => sizes.get(f.path)!.gzEntry)],
    ...tail,
    runcmd: [...bundleCommands(), ...tail.runcmd],
  });
  // Share the bundle's bytes among its files by how well each compresses on its own.
  const inBundle = files.filter((f) => !rest.includes(f));
  const sum = inBundle.reduce((n, f) => n + sizes.get(f.path)!.gz, 0) || 1;
  const share = itemBytes(bundle) / sum;
  const shares = new Map(
    files.map((f) => [f.path, Math.round(sizes.get(f.path)!.gz * (rest.includes(f) ? 1 : share))]),
  );
  return { text, fileBytes: shares };
}

/**
 * Serialise head + write_files + tail, packing files only as tightly as the target needs.
 * Each candidate is sized from per-entry measurements (one gzip and one stringify per file),
 * and the whole document is serialised only to confirm, not once per file tried.
 * `tail.runcmd` gets the unpack commands prepended in bundle mode.
 */
export function fitDocument(
  head: Record<string, unknown>,
  files: ServerFile[],
  tail: Tail,
  target = PLAIN_TARGET,
): Fitted {
  const plain = serialise({ ...head, write_files: files.map((f) => toWriteFile(f)), ...tail });
  const none = new Set<string>();
  if (bytes(plain) <= target)
    return { text: plain, compressed: none, packing: "plain", fileBytes: perFile(files, none) };
  const sizes = measure(files);
  const gz = pickGzipped(files, sizes, bytes(plain), target);
  // From here on entries come from the measurements: no file is gzipped twice.
  const entryOf = (f: ServerFile) => (gz.has(f.path) ? sizes.get(f.path)!.gzEntry : sizes.get(f.path)!.entry);
  const gzipped: Fitted = {
    text: serialise({ ...head, write_files: files.map(entryOf), ...tail }),
    compressed: gz,
    packing: "gzip",
    fileBytes: new Map(files.map((f) => [f.path, gz.has(f.path) ? sizes.get(f.path)!.gz : sizes.get(f.path)!.plain])),
  };
  if (bytes(gzipped.text) <= target) return gzipped;
  const packed = withBundle(head, files, tail, sizes);
  if (bytes(packed.text) >= bytes(gzipped.text)) return gzipped;
  return { ...packed, compressed: new Set(files.map((f) => f.path)), packing: "bundle" };
}
