// The user's compose stack as the server will run it: the effective model (includes, override,
// extends, variables), the files it needs shipped, and every rule that reads it. Problems point
// into the compose files; those about config keys (stack.env, backup, health) into the config.
import { relative, resolve } from "node:path";
import { isMap, Parser } from "yaml";
import { compose as composeMsg, rules as msg } from "../catalogue.js";
import {
  activeServices,
  checkFirewall,
  checkUnsupported,
  COMPOSE_CONTROL,
  dangerous,
  publishedPorts,
} from "./compose-checks.js";
import { checkBackupSources } from "./compose-backup.js";
import { checkOwnDotenv, filesToShip, type Shipping } from "./compose-files.js";
import { loadComposeModel } from "./compose-load.js";
import type { ComposeModel } from "./compose-model.js";
import { report, type ComposeCtx } from "./compose-refs.js";
import type { Diagnostic } from "./diagnostics.js";
import { nearest } from "./nearest.js";
import type { Problems } from "./rules.js";
import { firewallAllow } from "./rules-firewall.js";
import type { Config } from "./schema.js";
import type { Source } from "./source.js";
import { COMPOSE_TAGS } from "./yaml-hazards.js";
import { yamlProblems } from "./yaml-problems.js";

export { portAllowed, publicPort } from "./compose-ports.js";

export interface ComposeFacts {
  model: ComposeModel;
  shipping: Shipping;
  /** Public ports the running services publish, e.g. "443/udp". */
  published: string[];
  /** Top-level named volumes. */
  volumes: string[];
  /** Dangerous settings, as warnings. */
  warnings: Diagnostic[];
}

const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * The text with its YAML comments blanked (same length, same offsets): compose interpolates the
 * parsed values, so a `${VAR}` in a commented-out line is no reference (compose v2 RCs once
 * warned about those; docker/compose#8603 was fixed).
 */
function withoutComments(text: string): string {
  let out = text;
  const blank = (t: { type?: unknown; offset?: unknown; source?: unknown }) => {
    if (t.type !== "comment" || typeof t.offset !== "number" || typeof t.source !== "string") return;
    out = out.slice(0, t.offset) + " ".repeat(t.source.length) + out.slice(t.offset + t.source.length);
  };
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(walk);
    blank(node as Record<string, unknown>);
    for (const v of Object.values(node)) walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return out;
}

export function variables(text: string): { name: string; offset: number; length: number; hasDefault: boolean }[] {
  // "$$" is compose's escape for a literal "$": blank it so it never counts as a reference.
  const blanked = withoutComments(text).replace(/\$\$/g, "  ");
  return [...blanked.matchAll(VAR)].map((m) => ({
    name: m[1] ?? m[3] ?? "",
    offset: m.index ?? 0,
    length: m[0].length,
    hasDefault: /^:?[-+]/.test(m[2] ?? ""),
  }));
}

/** ${VARS} without a default that neither stack.env nor an include's env file defines. */
function undefinedVariables(ctx: ComposeCtx, model: ComposeModel): void {
  const seen = new Set<string>();
  const files = new Set<string>();
  for (const file of model.files) {
    if (files.has(file.src.file)) continue;
    files.add(file.src.file);
    for (const v of variables(file.src.text)) {
      if (v.hasDefault || v.name in file.env || seen.has(v.name)) continue;
      seen.add(v.name);
      const node = { range: [v.offset, v.offset + v.length, v.offset + v.length] } as never;
      report(ctx, { node, file }, msg.composeVarUndefined(v.name), `stack.env.${v.name}`);
    }
  }
}

/** COMPOSE_FILE and friends in stack.env would make the server run other files or another project. */
function controlVariables(p: Problems, cfg: Config): void {
  for (const k of COMPOSE_CONTROL)
    if (k in cfg.stack.env) p.add(["stack", "env", k], composeMsg.controlVariable(k), true);
}

function composeCtx(cfg: Config, src: Source, baseDir: string, stackFiles: ComposeCtx["stackFiles"]): ComposeCtx {
  const cwd = process.cwd();
  return {
    baseDir,
    composeDir: resolve(baseDir, cfg.stack.compose, ".."),
    env: cfg.stack.env,
    stackFiles,
    out: [],
    shown: (abs) => relative(cwd, abs) || src.file,
  };
}

function notCompose(src: Source): string | undefined {
  const root = src.doc.contents;
  if (!isMap(root)) return "the top level must be a map with `services:`";
  return !isMap(root.get("services", true)) && !root.has("include") ? "there is no `services:` map" : undefined;
}

function healthServices(p: Problems, cfg: Config, names: string[]): void {
  (cfg.stack.health.services ?? []).forEach((s, i) => {
    if (!names.includes(s))
      p.add(["stack", "health", "services", i], msg.healthServiceUnknown(s, names, nearest(s, names)));
  });
}

/** Every rule that needs the compose stack; `facts` only when the compose file could be read. */
export function checkCompose(
  p: Problems,
  cfg: Config,
  src: Source,
  baseDir: string,
  stackFiles: ComposeCtx["stackFiles"],
): { diagnostics: Diagnostic[]; facts?: ComposeFacts } {
  // Point into the compose file itself, with the same wording as config YAML errors.
  const yaml = yamlProblems(src, { path: "stack.compose", tags: COMPOSE_TAGS });
  if (yaml.length) return { diagnostics: yaml };
  const why = notCompose(src);
  if (why) return (p.add(["stack", "compose"], msg.composeInvalid(why)), { diagnostics: [] });
  const ctx = composeCtx(cfg, src, baseDir, stackFiles);
  const model = loadComposeModel(ctx, src);
  if (model.services.size === 0) p.add(["stack", "compose"], msg.composeNoServices());
  controlVariables(p, cfg);
  undefinedVariables(ctx, model);
  checkOwnDotenv(ctx);
  const active = activeServices(ctx, model);
  checkUnsupported(ctx, active, model);
  const shipping = filesToShip(ctx, model);
  const published = publishedPorts(ctx, active);
  if (cfg.hardening.firewall) checkFirewall(ctx, published, firewallAllow(cfg.hardening));
  const names = active.map((s) => s.name);
  if (model.services.size > 0) healthServices(p, cfg, names);
  checkBackupSources(p, cfg.backup, model, names);
  const warn: ComposeCtx = { ...ctx, out: [] };
  dangerous(warn, active, cfg.hardening.firewall !== false);
  const warnings = warn.out.map((d) => ({ ...d, severity: "warning" as const }));
  const ports = published.map((x) => x.port);
  return {
    diagnostics: ctx.out,
    facts: { model, shipping, published: ports, volumes: [...model.volumes.keys()], warnings },
  };
}
