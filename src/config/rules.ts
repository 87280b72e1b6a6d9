// Cross-field rules: what the schema alone cannot see (files on disk, the compose file, the
// firewall, secrets). Each returns diagnostics located in the config or the compose file.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { rules as msg, yaml as yamlMsg, type Advice } from "../catalogue.js";
import { composeFacts, portAllowed } from "./compose.js";
import { formatPath, type Diagnostic } from "./diagnostics.js";
import type { Config } from "./schema.js";
import { at, locate, type Source } from "./source.js";
import { decode, MAX_YAML_BYTES } from "./yaml-file.js";
import { COMPOSE_TAGS } from "./yaml-hazards.js";
import { yamlProblems } from "./yaml-problems.js";

type Key = string | number;

export interface Included {
  compose: string;
  /** Destination name under the stack directory -> content. */
  files: Record<string, string>;
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
  const abs = resolve(baseDir, rel);
  const inside = relative(baseDir, abs);
  if (isAbsolute(rel) || inside.startsWith("..") || isAbsolute(inside)) return void p.add(path, msg.fileOutside(rel));
  try {
    const st = statSync(abs);
    if (!st.isFile()) return void p.add(path, msg.notAFile(rel));
    if (st.size > limit) return void p.add(path, msg.fileTooLarge(rel, st.size, limit));
    // A link inside the folder may point anywhere (~/.ssh/id_ed25519, /etc/shadow): where the
    // file really is decides, not how it is named.
    const real = relative(realpathSync(baseDir), realpathSync(abs));
    if (real.startsWith("..") || isAbsolute(real)) return void p.add(path, msg.linkOutside(rel));
    return readFileSync(abs);
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

export function checkIncludes(p: Problems, cfg: Config, baseDir: string): Included | undefined {
  const raw = include(p, baseDir, cfg.stack.compose, ["stack", "compose"], MAX_YAML_BYTES);
  const compose = raw && decode(raw, cfg.stack.compose);
  if (compose && !compose.ok) p.add(["stack", "compose"], yamlMsg.notText(cfg.stack.compose));
  const files: Record<string, string> = {};
  for (const [dest, rel] of Object.entries(cfg.stack.files)) {
    if (!safeDest(dest)) p.add(["stack", "files", dest], msg.badDest(dest), true);
    const data = include(p, baseDir, rel, ["stack", "files", dest], MAX_STACK_FILE);
    if (data !== undefined) files[dest] = data.toString("utf8");
  }
  return compose?.ok ? { compose: compose.text, files } : undefined;
}

export function checkEnv(p: Problems, cfg: Config): void {
  for (const [k, v] of Object.entries(cfg.stack.env)) {
    if (typeof v !== "string") continue;
    if (/[\r\n]/.test(v)) p.add(["stack", "env", k], msg.envNewline(v.includes("\r") && !v.includes("\n")));
    // eslint-disable-next-line no-control-regex
    else if (/[\x00-\x08\x0b-\x1f\x7f]/.test(v)) p.add(["stack", "env", k], msg.envNul());
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
  // Point into the compose file itself, with the same wording as config YAML errors.
  const yaml = yamlProblems(src, { path: "stack.compose", tags: COMPOSE_TAGS });
  if (yaml.length) return yaml;
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
