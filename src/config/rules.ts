// Cross-field rules: what the schema alone cannot see (files on disk, the compose file, the
// firewall, secrets). Each returns diagnostics located in the config or the compose file.
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { rules as msg, yaml as yamlMsg, type Advice } from "../catalogue.js";
import { formatPath, type Diagnostic } from "./diagnostics.js";
import { lookInside } from "./inside.js";
import { lineFault } from "./line-safe.js";
import type { Config } from "./schema.js";
import { at, locate, type Source } from "./source.js";
import { decode, MAX_YAML_BYTES } from "./yaml-file.js";

type Key = string | number;

export interface Included {
  compose: string;
  /** Destination name under the stack directory -> its bytes (a stack file may be binary). */
  files: Record<string, Buffer>;
  /** Destinations written root-only (0600): env files the compose file names, which hold secrets. */
  private?: string[];
}

export class Problems {
  readonly list: Diagnostic[] = [];
  constructor(readonly src: Source) {}
  /** `where` locates the caret when it differs from the reported path (e.g. a secret's name). */
  add(path: Key[], advice: Advice, key = false, where: Key[] = path): void {
    const loc = locate(this.src, where, key);
    this.list.push(at(this.src, loc.offset, loc.length, { path: formatPath(path), ...advice }));
  }
}

/** Even at deflate's best ratio (1032:1), a bigger file cannot fit 32 KiB of base64 user-data. */
export const MAX_STACK_FILE = 24 * 1024 * 1024;

/** Read a file named in the config: relative to the config, never outside its directory. */
function include(p: Problems, baseDir: string, rel: string, path: Key[], limit: number): Buffer | undefined {
  const found = isAbsolute(rel) ? "outside" : lookInside(baseDir, resolve(baseDir, rel));
  if (found === "outside") return void p.add(path, msg.fileOutside(rel));
  if (found === "link") return void p.add(path, msg.linkOutside(rel));
  if (found === "missing") return void p.add(path, msg.fileMissing(rel));
  if (found === "special" || found.kind === "dir") return void p.add(path, msg.notAFile(rel));
  try {
    const { size } = statSync(found.real);
    if (size > limit) return void p.add(path, msg.fileTooLarge(rel, size, limit));
    return readFileSync(found.real);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return void p.add(path, code === "ENOENT" ? msg.fileMissing(rel) : msg.fileUnreadable(rel, code));
  }
}

const RESERVED = new Set([".env", "compose.yaml"]);

function safeDest(name: string): boolean {
  return (
    !isAbsolute(name) &&
    !name.split("/").some((s) => s === ".." || s === "." || s === "") &&
    !RESERVED.has(name) &&
    /^[A-Za-z0-9._/-]+$/.test(name)
  );
}

/** The compose file and stack.files, read; `sources` maps each stack file's name to its local path. */
export function checkIncludes(
  p: Problems,
  cfg: Config,
  baseDir: string,
): (Included & { sources: Record<string, string> }) | undefined {
  // The compose file is YAML, read as text; the other files travel as the bytes they are.
  const raw = include(p, baseDir, cfg.stack.compose, ["stack", "compose"], MAX_YAML_BYTES);
  const compose = raw && decode(raw, cfg.stack.compose);
  if (compose && !compose.ok) p.add(["stack", "compose"], yamlMsg.notText(cfg.stack.compose));
  const files: Record<string, Buffer> = {};
  const sources: Record<string, string> = {};
  for (const [dest, rel] of Object.entries(cfg.stack.files)) {
    if (!safeDest(dest)) p.add(["stack", "files", dest], msg.badDest(dest), true);
    const data = include(p, baseDir, rel, ["stack", "files", dest], MAX_STACK_FILE);
    if (data !== undefined) [files[dest], sources[dest]] = [data, resolve(baseDir, rel)];
  }
  return compose?.ok ? { compose: compose.text, files, sources } : undefined;
}

export function checkEnv(p: Problems, cfg: Config): void {
  for (const [k, v] of Object.entries(cfg.stack.env)) {
    // A tab is fine: compose reads it back inside quotes.
    const fault = typeof v === "string" ? lineFault(v, { tab: true }) : undefined;
    if (fault) p.add(["stack", "env", k], msg.envFault(fault));
  }
}

/** Every { secret: NAME } in the config, with its path. */
export function secretRefs(value: unknown, path: Key[] = []): { name: string; path: Key[] }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretRefs(v, [...path, i]));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secret === "string") return [{ name: obj.secret, path }];
    return Object.entries(obj).flatMap(([k, v]) => secretRefs(v, [...path, k]));
  }
  return [];
}
