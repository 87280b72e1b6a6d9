// What every compose check shares: a compose file with the folder its relative paths resolve
// against, a YAML node with the file it came from (for file:line:col), and the resolution of a
// path the compose file names (env_file, a bind mount, include ...) to a file firstboot ships.
import { readFileSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { isAbsolute, relative, resolve } from "node:path";
import { isScalar, type Node } from "yaml";
import { compose as msg, type Advice } from "../catalogue.js";
import { interpolate, type EnvValues, type Interpolated } from "./compose-interpolate.js";
import type { Diagnostic } from "./diagnostics.js";
import { lookInside, staysInside, type Found, type Refused } from "./inside.js";
import { at, type Source } from "./source.js";

export interface ComposeFile {
  src: Source;
  /** Absolute local folder the file's relative paths resolve against (compose's working dir). */
  dir: string;
  /** Interpolation values: stack.env, plus an include's own env files. */
  env: EnvValues;
}

/** A YAML node and the compose file it is written in. */
export interface Located {
  node: Node;
  file: ComposeFile;
}

export interface ComposeCtx {
  /** The config's folder: nothing outside it is ever read. */
  baseDir: string;
  /** The compose file's folder: it becomes the stack directory on the server. */
  composeDir: string;
  env: EnvValues;
  /** stack.files: name under the stack directory -> its local path and text. */
  stackFiles: Readonly<Record<string, { abs: string; text: string }>>;
  /** Problems found, pointing into the compose files. */
  out: Diagnostic[];
  /** How a local path is shown in diagnostics (relative to the working directory). */
  shown(abs: string): string;
}

export function report(ctx: ComposeCtx, where: Located, advice: Advice, path = "stack.compose"): void {
  const r = where.node.range;
  const offset = r ? r[0] : 0;
  const length = r ? Math.max(1, r[1] - r[0]) : 1;
  ctx.out.push(at(where.file.src, offset, length, { path, ...advice }));
}

/** A scalar's text, interpolated with its file's values; undefined for maps and lists. */
export function valueOf(loc: Located | undefined): Interpolated | undefined {
  if (!loc || !isScalar(loc.node) || loc.node.value === null) return undefined;
  const v = loc.node.value;
  return typeof v === "string" ? interpolate(v, loc.file.env) : { text: String(v), secrets: [] };
}

export type Resolved =
  | { kind: "host"; path: string }
  | { kind: "local"; written: string; abs: string; dest: string; found: Found | Refused };

/**
 * Where a path the compose file names is: a host path on the server (absolute or ~), or a
 * local one inside the compose folder, shipped to the same place under the stack directory.
 */
export function resolveRef(
  ctx: ComposeCtx,
  where: Located,
  what: string,
  v: Interpolated | undefined = valueOf(where),
): Resolved | undefined {
  if (!v) return undefined;
  if (v.secrets.length) return void report(ctx, where, msg.refSecret(what, v.secrets[0]!));
  const written = v.text;
  if (isAbsolute(written) || written.startsWith("~")) return { kind: "host", path: written };
  const abs = resolve(where.file.dir, written);
  const dest = relative(ctx.composeDir, abs);
  if (!staysInside(dest)) return void report(ctx, where, msg.refOutside(what, written));
  return { kind: "local", written, abs, dest, found: lookInside(ctx.baseDir, abs) };
}

/** Report why a local path cannot be shipped; true when it was a refusal. */
export function refused(ctx: ComposeCtx, where: Located, what: string, r: Resolved & { kind: "local" }): boolean {
  if (r.found === "link") report(ctx, where, msg.refLink(what, r.written));
  else if (r.found === "missing") report(ctx, where, msg.refMissing(what, r.written));
  else if (r.found === "special" || r.found === "outside") report(ctx, where, msg.refOutside(what, r.written));
  else return false;
  return true;
}

/** A shipped file's text; binary content is refused (stack files travel as text for now). */
export function readText(ctx: ComposeCtx, where: Located, shownPath: string, real: string): string | undefined {
  const buf = readFileSync(real);
  if (!isUtf8(buf) || buf.includes(0)) return void report(ctx, where, msg.binary(shownPath));
  return buf.toString("utf8");
}
