// Cross-field rules: what the schema alone cannot see (files on disk, the compose file, the
// firewall, secrets). Each returns diagnostics located in the config or the compose file.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { rules as msg, type Advice } from "../catalogue.js";
import { composeFacts, portAllowed } from "./compose.js";
import { formatPath, type Diagnostic } from "./diagnostics.js";
import { lineFault } from "./line-safe.js";
import type { Config } from "./schema.js";
import { at, locate, type Source } from "./source.js";
import { yamlProblems } from "./yaml-problems.js";

type Key = string | number;

export interface Included {
  compose: string;
  /** Destination name under the stack directory -> its bytes (a stack file may be binary). */
  files: Record<string, Buffer>;
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

/** Read a file named in the config: relative to the config, never outside its directory. */
function include(p: Problems, baseDir: string, rel: string, path: Key[]): Buffer | undefined {
  const abs = resolve(baseDir, rel);
  const inside = relative(baseDir, abs);
  if (isAbsolute(rel) || inside.startsWith("..") || isAbsolute(inside)) return void p.add(path, msg.fileOutside(rel));
  try {
    if (!statSync(abs).isFile()) return void p.add(path, msg.notAFile(rel));
    // A link inside the folder may point anywhere (~/.ssh/id_ed25519, /etc/shadow): where the
    // file really is decides, not how it is named.
    const real = relative(realpathSync(baseDir), realpathSync(abs));
    if (real.startsWith("..") || isAbsolute(real)) return void p.add(path, msg.linkOutside(rel));
    return readFileSync(abs);
  } catch {
    return void p.add(path, msg.fileMissing(rel));
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

export function checkIncludes(p: Problems, cfg: Config, baseDir: string): Included | undefined {
  // The compose file is YAML, read as text; the other files travel as the bytes they are.
  const compose = include(p, baseDir, cfg.stack.compose, ["stack", "compose"])?.toString("utf8");
  const files: Record<string, Buffer> = {};
  for (const [dest, rel] of Object.entries(cfg.stack.files)) {
    if (!safeDest(dest)) p.add(["stack", "files", dest], msg.badDest(dest), true);
    const data = include(p, baseDir, rel, ["stack", "files", dest]);
    if (data !== undefined) files[dest] = data;
  }
  return compose === undefined ? undefined : { compose, files };
}

export function checkEnv(p: Problems, cfg: Config): void {
  for (const [k, v] of Object.entries(cfg.stack.env)) {
    // A tab is fine: compose reads it back inside quotes.
    const fault = typeof v === "string" ? lineFault(v, { tab: true }) : undefined;
    if (fault) p.add(["stack", "env", k], msg.envFault(fault));
  }
}

/** Rules that need the compose file; problems point into the compose file itself. */
export function checkCompose(
  p: Problems,
  cfg: Config,
  src: Source,
  allow: readonly string[] | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (src.doc.errors.length > 0) {
    // Point into the compose file itself, with the same wording as config YAML errors.
    return yamlProblems(src, "stack.compose");
  }
  const facts = composeFacts(src);
  if (typeof facts === "string") return (void p.add(["stack", "compose"], msg.composeInvalid(facts)), out);
  if (facts.services.length === 0) p.add(["stack", "compose"], msg.composeNoServices());
  const defined = new Set(Object.keys(cfg.stack.env));
  const seen = new Set<string>();
  for (const v of facts.variables) {
    if (v.hasDefault || defined.has(v.name) || seen.has(v.name)) continue;
    seen.add(v.name);
    out.push(at(src, v.offset, v.length, { path: `stack.env.${v.name}`, ...msg.composeVarUndefined(v.name) }));
  }
  for (const pub of allow ? facts.published : []) {
    if (!portAllowed(pub.port, allow!))
      out.push(
        at(src, pub.offset, pub.length, {
          path: "hardening.firewall.allow",
          ...msg.portNotAllowed(pub.service, pub.port),
        }),
      );
  }
  if (facts.services.length === 0) return out;
  (cfg.stack.health.services ?? []).forEach((s, i) => {
    if (!facts.services.includes(s))
      p.add(["stack", "health", "services", i], msg.healthServiceUnknown(s, facts.services));
  });
  return out;
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
