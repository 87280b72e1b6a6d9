// What the server needs besides compose.yaml: every local file the compose model names (env_file,
// label_file, relative bind mounts, secrets and configs `file:`, included and extended compose
// files), shipped to the same path under the stack directory so compose resolves it the same way.
import { byCodePoint } from "../compare.js";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isMap, isScalar, Scalar } from "yaml";
import { compose as msg } from "../catalogue.js";
import { entries, type ComposeModel } from "./compose-model.js";
import {
  readText,
  refused,
  report,
  resolveRef,
  valueOf,
  type ComposeCtx,
  type Located,
  type Resolved,
} from "./compose-refs.js";
import { parseDotenv } from "./dotenv.js";
import { lookInside } from "./inside.js";
import { textSource } from "./source.js";

/** A bind-mounted folder ships inline in the user-data (32 KiB in all): keep it small. */
export const DIR_LIMITS = { files: 100, bytes: 256 * 1024 };
/** On the server these exist already: the compose file and the .env generated from stack.env. */
const ON_SERVER = new Set(["compose.yaml", ".env"]);

export interface Shipping {
  files: Record<string, string>;
  /** Env files: root only (0600). */
  private: string[];
}

type Local = Resolved & { kind: "local" };

class Shipper {
  readonly out: Shipping = { files: {}, private: [] };
  constructor(readonly ctx: ComposeCtx) {}

  /** Ship `dest` unless stack.files already does; a different file at that name is a conflict. */
  add(where: Located, dest: string, text: string, real: string, secret = false): void {
    if (ON_SERVER.has(dest)) return;
    const named = this.ctx.stackFiles[dest];
    const clash = Object.keys(this.ctx.stackFiles).find((k) => k.startsWith(`${dest}/`) || dest.startsWith(`${k}/`));
    if ((named && realpathSync(named.abs) !== real) || clash)
      return void report(this.ctx, where, msg.conflict(dest, clash ?? dest));
    if (named) return;
    this.out.files[dest] = text;
    if (secret) this.out.private.push(dest);
  }

  /** Whether stack.files puts something at `dest` (a file, or files below a folder). */
  provided(dest: string): boolean {
    return Object.keys(this.ctx.stackFiles).some((k) => k === dest || k.startsWith(`${dest}/`));
  }

  file(where: Located, r: Local, real: string, secret = false): void {
    const text = readText(this.ctx, where, r.written, real);
    if (text !== undefined) this.add(where, r.dest, text, real, secret);
  }

  /** Every file below a bind-mounted folder, within DIR_LIMITS; links out of the folder refused. */
  dir(where: Located, r: Local): void {
    const found: { dest: string; real: string }[] = [];
    const shown = (dest: string) => join(r.written, dest.slice(r.dest ? r.dest.length + 1 : 0));
    let bytes = 0;
    const seen = new Set<string>();
    const visit = (abs: string, dest: string): boolean => {
      for (const e of readdirSync(abs, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name))) {
        const f = lookInside(this.ctx.baseDir, join(abs, e.name));
        const d = dest ? `${dest}/${e.name}` : e.name;
        if (f === "link") report(this.ctx, where, msg.refLink("file", shown(d)));
        if (typeof f === "string" || seen.has(f.real)) continue;
        seen.add(f.real);
        if (f.kind === "dir" && !visit(join(abs, e.name), d)) return false;
        if (f.kind === "file") found.push({ dest: d, real: f.real });
        bytes += f.kind === "file" ? statSync(f.real).size : 0;
        if (found.length > DIR_LIMITS.files || bytes > DIR_LIMITS.bytes) return false;
      }
      return true;
    };
    if (!visit(r.abs, r.dest)) return void report(this.ctx, where, msg.dirTooBig(r.written, DIR_LIMITS));
    for (const f of found) {
      const text = readText(this.ctx, where, shown(f.dest), f.real);
      if (text !== undefined) this.add(where, f.dest, text, f.real);
    }
  }
}

/** env_file and label_file entries: a path, or { path, required } (env_file only). */
function envFile(s: Shipper, item: Located, what: string): void {
  const fields = isMap(item.node) ? entries(item.node, item.file) : undefined;
  const pathLoc = fields ? fields.get("path")?.value : item;
  if (!pathLoc) return;
  const required = valueOf(fields?.get("required")?.value)?.text !== "false";
  const r = resolveRef(s.ctx, pathLoc, what);
  if (!r) return;
  if (r.kind === "host") return void report(s.ctx, pathLoc, msg.refAbsolute(what, r.path));
  // The project's .env is the one generated from stack.env.
  if (r.dest === ".env" && what === "env_file") return;
  if (r.found === "missing" && (!required || s.provided(r.dest))) return;
  if (refused(s.ctx, pathLoc, what, r) || typeof r.found === "string") return;
  if (r.found.kind === "dir") return void report(s.ctx, pathLoc, msg.refNotFile(what, r.written));
  s.file(pathLoc, r, r.found.real, what === "env_file");
}

/** A bind mount's source, short ("./conf:/etc/app:ro") or long (type: bind) syntax. */
function bindSource(item: Located): { source: string; creates: boolean; at: Located } | undefined {
  if (isMap(item.node)) {
    const f = entries(item.node, item.file);
    if (valueOf(f.get("type")?.value)?.text !== "bind") return undefined;
    const source = valueOf(f.get("source")?.value)?.text ?? "";
    const bind = f.get("bind")?.value;
    const create =
      bind && isMap(bind.node) ? valueOf(entries(bind.node, bind.file).get("create_host_path")?.value) : undefined;
    const ro = valueOf(f.get("read_only")?.value)?.text === "true";
    return { source, creates: create?.text === "true" && !ro, at: f.get("source")?.value ?? item };
  }
  const parts = (valueOf(item)?.text ?? "").split(":");
  const source = parts[0] ?? "";
  if (parts.length < 2 || !/^[./~]/.test(source)) return undefined;
  return { source, creates: !(parts[2] ?? "").split(",").includes("ro"), at: sourcePart(item) };
}

/** The caret of a short-syntax volume: its source only ("./conf" of "./conf:/etc/app:ro"). */
function sourcePart(item: Located): Located {
  const r = item.node.range;
  if (!r || !isScalar(item.node)) return item;
  const start = r[0] + (/["']/.test(item.file.src.text[r[0]] ?? "") ? 1 : 0);
  const end = start + (String(item.node.value).split(":")[0] ?? "").length;
  return { node: { range: [start, end, end] } as unknown as Located["node"], file: item.file };
}

function bind(s: Shipper, item: Located): void {
  const b = bindSource(item);
  if (!b) return;
  const raw = isMap(item.node) ? valueOf(b.at) : valueOf(item);
  const r = resolveRef(s.ctx, b.at, "bind mount source", raw && { ...raw, text: b.source });
  if (!r || r.kind === "host" || ON_SERVER.has(r.dest)) return;
  // A missing source of a writable mount is created empty by Docker: fine for a data folder,
  // wrong for a file (a folder named nginx.conf), so a name with an extension must exist.
  const folderLike = b.creates && !/\.[A-Za-z0-9]+$/.test(basename(r.abs));
  if (r.found === "missing" && (folderLike || s.provided(r.dest))) return;
  if (r.found === "missing") return void report(s.ctx, b.at, msg.bindMissing(r.written));
  if (refused(s.ctx, b.at, "bind mount source", r) || typeof r.found === "string") return;
  if (r.found.kind === "dir") s.dir(b.at, r);
  else s.file(b.at, r, r.found.real);
}

/** Top-level secrets and configs with `file:` (compose bind-mounts them into the containers). */
function resourceFile(s: Shipper, def: Located, what: string): void {
  const file = isMap(def.node) ? entries(def.node, def.file).get("file")?.value : undefined;
  const r = file && resolveRef(s.ctx, file, what);
  if (!file || !r) return;
  if (r.kind === "host") return void report(s.ctx, file, msg.refAbsolute(what, r.path));
  if (ON_SERVER.has(r.dest) || (r.found === "missing" && s.provided(r.dest))) return;
  if (refused(s.ctx, file, what, r) || typeof r.found === "string") return;
  if (r.found.kind === "dir") s.dir(file, r);
  else s.file(file, r, r.found.real);
}

export function filesToShip(ctx: ComposeCtx, model: ComposeModel): Shipping {
  const s = new Shipper(ctx);
  for (const r of model.read) s.add(r.at, r.dest, r.text, realpathSync(resolve(ctx.composeDir, r.dest)), r.private);
  for (const svc of model.services.values()) {
    for (const item of svc.lists.get("env_file") ?? []) envFile(s, item, "env_file");
    for (const item of svc.lists.get("label_file") ?? []) envFile(s, item, "label_file");
    for (const item of svc.lists.get("volumes") ?? []) bind(s, item);
  }
  for (const def of model.secrets.values()) resourceFile(s, def, "secret file");
  for (const def of model.configs.values()) resourceFile(s, def, "config file");
  return s.out;
}

/** The user's own .env next to the compose file: on the server it is replaced by stack.env's. */
export function checkOwnDotenv(ctx: ComposeCtx): void {
  const abs = join(ctx.composeDir, ".env");
  const found = lookInside(ctx.baseDir, abs);
  if (typeof found === "string" || found.kind !== "file") return;
  const text = readFileSync(found.real, "utf8");
  const missing = parseDotenv(text).entries.filter((e) => !(e.key in ctx.env));
  const first = missing[0];
  if (!first) return;
  const node = new Scalar(first.key);
  node.range = [first.offset, first.offset + first.key.length, first.offset + first.key.length];
  const file = { src: textSource(ctx.shown(abs), text), dir: ctx.composeDir, env: ctx.env };
  report(ctx, { node, file }, msg.ownDotenv(missing.map((e) => e.key)), "stack.env");
}
