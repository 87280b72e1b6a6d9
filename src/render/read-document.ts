// Reads a rendered document back into the files the server ends up with, decoded the way
// cloud-init does (write_files' plain, b64 and gz+b64 content; the bundle unpacked by the first
// runcmd and then removed). `render --files` and `firstboot diff` read the final document this
// way, so what they show is what the document carries, not what firstboot meant to put in it.
import { posix } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse, stringify } from "yaml";
import { pack as msg } from "../catalogue.js";
import { BUNDLE_PATH } from "../server-contract.js";
import { untar } from "./untar.js";

export interface DocFile {
  /** Absolute path on the server. */
  path: string;
  /** Octal, four digits ("0644"). */
  mode: string;
  data: Buffer;
}

export interface ReadDocument {
  /** In the order the server writes them; a later file of the same path replaces the earlier. */
  files: DocFile[];
  /** The rest of the cloud-config (users, runcmd, ...) as YAML, without write_files. */
  rest: string;
}

/** The document is not one firstboot (or cloud-init) can read: the reason, for exit 2. */
export class DocumentError extends Error {}

const fail = (why: string): never => {
  throw new DocumentError(why);
};

function safePath(p: unknown): string {
  if (typeof p !== "string" || !p.startsWith("/") || p.includes("\0")) return fail(msg.docBadPath(String(p)));
  if (p.split("/").includes("..") || posix.normalize(p) !== p || p === "/") return fail(msg.docBadPath(p));
  return p;
}

function modeOf(permissions: unknown): string {
  // cloud-init's default for write_files is 0644; YAML may give an integer or an octal string.
  if (permissions === undefined) return "0644";
  const text = typeof permissions === "number" ? permissions.toString(8) : String(permissions).replace(/^0o/, "");
  if (!/^[0-7]{1,4}$/.test(text)) return fail(msg.docBadMode(String(permissions)));
  return text.padStart(4, "0");
}

function decode(content: unknown, encoding: unknown): Buffer {
  const text =
    content === undefined || content === null ? "" : typeof content === "string" ? content : fail(msg.docBadContent());
  const enc = encoding ?? "text/plain";
  try {
    if (["gz+b64", "gzip+base64", "gz+base64", "gzip+b64"].includes(String(enc)))
      return gunzipSync(Buffer.from(text, "base64"));
  } catch {
    return fail(msg.docBadGzip());
  }
  if (enc === "b64" || enc === "base64") return Buffer.from(text, "base64");
  if (enc === "text/plain") return Buffer.from(text, "utf8");
  return fail(msg.docBadEncoding(String(enc)));
}

type Entry = Record<string, unknown>;

function parseDocument(text: string): Entry {
  if (!text.startsWith("#cloud-config\n")) fail(msg.docNoHeader());
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    fail(msg.docNotYaml((err as Error).message.split("\n")[0]!));
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) fail(msg.docNotMap());
  return doc as Entry;
}

function filesOf(entries: Entry[]): DocFile[] {
  const files: DocFile[] = [];
  const bundled: DocFile[] = [];
  // Written in this order: write_files, then the deferred ones, then the bundle's runcmd.
  const ordered = [...entries.filter((e) => e.defer !== true), ...entries.filter((e) => e.defer === true)];
  for (const e of ordered) {
    const path = safePath(e.path);
    const data = decode(e.content, e.encoding);
    if (path !== BUNDLE_PATH) {
      files.push({ path, mode: modeOf(e.permissions), data });
      continue;
    }
    for (const t of untar(data))
      bundled.push({ path: safePath("/" + t.name), mode: t.mode.toString(8).padStart(4, "0"), data: t.content });
  }
  return [...files, ...bundled];
}

export function readDocument(text: string): ReadDocument {
  const doc = parseDocument(text);
  const list = doc.write_files ?? [];
  if (!Array.isArray(list) || list.some((e) => !e || typeof e !== "object")) fail(msg.docBadWriteFiles());
  let files: DocFile[];
  try {
    files = filesOf(list as Entry[]);
  } catch (err) {
    if (err instanceof DocumentError) throw err;
    throw new DocumentError((err as Error).message);
  }
  const rest = Object.fromEntries(Object.entries(doc).filter(([k]) => k !== "write_files"));
  return { files: latest(files), rest: stringify(rest, { lineWidth: 0 }) };
}

/** A path written twice ends up with the last write. */
function latest(files: DocFile[]): DocFile[] {
  const byPath = new Map<string, DocFile>();
  for (const f of files) byPath.set(f.path, f);
  return [...byPath.values()];
}
