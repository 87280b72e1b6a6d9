// The compose model the server will run, as compose builds it: the compose file, the files it
// `include:`s, a compose.override.yaml shipped as a stack file (compose merges it when present
// next to compose.yaml), and `extends:`. Every node keeps its file for diagnostics.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { isAlias, isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import { compose as msg } from "../catalogue.js";
import { parseDotenv } from "./dotenv.js";
import { lookInside, staysInside } from "./inside.js";
import { mergeService, type ServiceDef } from "./compose-merge.js";
import {
  readText,
  refused,
  report,
  resolveRef,
  valueOf,
  type ComposeCtx,
  type ComposeFile,
  type Located,
} from "./compose-refs.js";
import { parseSource } from "./source.js";
import { COMPOSE_TAGS } from "./yaml-hazards.js";
import { yamlProblems } from "./yaml-problems.js";

export type { ServiceDef } from "./compose-merge.js";

/** A compose or env file read while loading the model: shipped as it is. */
export interface ReadFile {
  /** Where the compose file names it. */
  at: Located;
  dest: string;
  text: string;
  /** Env files hold secrets: root only on the server. */
  private: boolean;
}

export interface ComposeModel {
  files: ComposeFile[];
  services: Map<string, ServiceDef>;
  volumes: Map<string, Located>;
  secrets: Map<string, Located>;
  configs: Map<string, Located>;
  read: ReadFile[];
}

/** The override file compose picks up next to compose.yaml, first name first (compose-go). */
export const OVERRIDE_NAMES = [
  "compose.override.yml",
  "compose.override.yaml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
];

const TOP = ["volumes", "secrets", "configs"] as const;

/** A map's entries by key, `<<: *anchor` merge keys applied (explicit keys win). */
export function entries(map: YAMLMap, file: ComposeFile): Map<string, { key: Node; value: Located }> {
  const out = new Map<string, { key: Node; value: Located }>();
  const merged: typeof out = new Map();
  for (const pair of map.items) {
    const key = pair.key as Node;
    const value = deref(pair.value as Node, file);
    if (isScalar(key) && key.value === "<<") {
      const sources = isSeq(value) ? value.items.map((n) => deref(n as Node, file)) : [value];
      for (const s of sources) if (isMap(s)) for (const [k, v] of entries(s, file)) merged.set(k, v);
    } else if (isScalar(key)) out.set(String(key.value), { key, value: { node: value, file } });
  }
  for (const [k, v] of merged) if (!out.has(k)) out.set(k, v);
  return out;
}

function deref(n: Node, file: ComposeFile): Node {
  return isAlias(n) ? ((n.resolve(file.src.doc) as Node | undefined) ?? n) : n;
}

export function emptyModel(): ComposeModel {
  const m = () => new Map<string, Located>();
  return { files: [], services: new Map(), volumes: m(), secrets: m(), configs: m(), read: [] };
}

function serviceDef(name: string, key: Node, value: Located): ServiceDef {
  const file = value.file;
  const def: ServiceDef = {
    name,
    key: { node: key, file },
    keys: new Map(),
    fields: new Map(),
    lists: new Map(),
    resets: new Set(),
    overrides: new Set(),
  };
  if (!isMap(value.node)) return def;
  for (const [k, { key: at, value: v }] of entries(value.node, value.file)) {
    def.keys.set(k, { node: at, file: v.file });
    if (v.node.tag === "!reset") def.resets.add(k);
    else if (v.node.tag === "!override") def.overrides.add(k);
    if (v.node.tag === "!reset") continue;
    if (isSeq(v.node))
      def.lists.set(
        k,
        v.node.items.map((n) => ({ node: deref(n as Node, v.file), file: v.file })),
      );
    else if (k === "env_file" || k === "label_file") def.lists.set(k, [v]);
    else def.fields.set(k, v);
  }
  return def;
}

/** One file's own services and resources, its `include:`s added (what it defines first wins). */
export function fileModel(ctx: ComposeCtx, file: ComposeFile, depth = 0): ComposeModel {
  const model = emptyModel();
  model.files.push(file);
  const root = file.src.doc.contents;
  if (!isMap(root)) return model;
  const top = entries(root, file);
  const services = top.get("services")?.value;
  if (services && isMap(services.node))
    for (const [name, { key, value }] of entries(services.node, file))
      model.services.set(name, serviceDef(name, key, value));
  for (const kind of TOP) {
    const section = top.get(kind)?.value;
    if (section && isMap(section.node))
      for (const [name, { value }] of entries(section.node, file)) model[kind].set(name, value);
  }
  const include = top.get("include")?.value;
  if (include && isSeq(include.node) && depth < 8)
    for (const item of include.node.items) includeOne(ctx, model, { node: item as Node, file }, depth);
  return model;
}

/** Add what `from` lacks of `other` (include: the including file's definitions win). */
function addMissing(into: ComposeModel, other: ComposeModel): void {
  into.files.push(...other.files);
  into.read.push(...other.read);
  for (const [k, v] of other.services) if (!into.services.has(k)) into.services.set(k, v);
  for (const kind of TOP) for (const [k, v] of other[kind]) if (!into[kind].has(k)) into[kind].set(k, v);
}

/** Read a compose file the model names (include, extends) and parse it; its problems are reported. */
export function openCompose(
  ctx: ComposeCtx,
  where: Located,
  what: string,
): (ComposeFile & { dest: string }) | undefined {
  const r = resolveRef(ctx, where, what);
  if (!r) return undefined;
  if (r.kind === "host") return void report(ctx, where, msg.refAbsolute(what, r.path));
  const found = r.found;
  if (refused(ctx, where, what, r) || typeof found === "string") return undefined;
  if (found.kind === "dir") return void report(ctx, where, msg.refNotFile(what, r.written));
  const text = readText(ctx, where, r.written, found.real);
  if (text === undefined) return undefined;
  const src = parseSource(ctx.shown(r.abs), text);
  const problems = yamlProblems(src, { path: "stack.compose", tags: COMPOSE_TAGS });
  if (problems.length) return void ctx.out.push(...problems);
  return { src, dir: dirname(r.abs), env: where.file.env, dest: r.dest };
}

function includeOne(ctx: ComposeCtx, model: ComposeModel, entry: Located, depth: number): void {
  const file = entry.file;
  const fields = isMap(entry.node) ? entries(entry.node, file) : undefined;
  const pathNode = fields ? fields.get("path")?.value : entry;
  if (!pathNode) return;
  const paths = isSeq(pathNode.node) ? pathNode.node.items.map((n) => ({ node: n as Node, file })) : [pathNode];
  const envFiles = fields?.get("env_file")?.value;
  const envs = envFiles && isSeq(envFiles.node) ? envFiles.node.items.map((n) => ({ node: n as Node, file })) : [];
  if (envFiles && !isSeq(envFiles.node)) envs.push(envFiles);
  const env = { ...file.env, ...includeEnv(ctx, model, envs) };
  const projectDir = valueOf(fields?.get("project_directory")?.value)?.text;
  paths.forEach((p, i) => {
    const opened = openCompose(ctx, p, "included compose file");
    if (!opened) return;
    const dir = projectDir ? resolve(file.dir, projectDir) : opened.dir;
    if (i === 0 && envs.length === 0) Object.assign(env, defaultDotenv(ctx, model, dir, entry));
    model.read.push({ at: p, dest: opened.dest, text: opened.src.text, private: false });
    const sub = fileModel(ctx, { src: opened.src, dir, env }, depth + 1);
    // Later paths of one entry override the first, as compose's -f files do.
    if (i === 0) addMissing(model, sub);
    else mergeInto(model, sub);
  });
}

/** An include's env_file entries: read (relative to the including file), shipped root-only. */
function includeEnv(ctx: ComposeCtx, model: ComposeModel, envs: Located[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const where of envs) {
    const r = resolveRef(ctx, where, "env_file");
    if (!r) continue;
    if (r.kind === "host") report(ctx, where, msg.refAbsolute("env_file", r.path));
    else if (refused(ctx, where, "env_file", r) || typeof r.found === "string") continue;
    else if (r.found.kind === "file") {
      const text = readText(ctx, where, r.written, r.found.real);
      if (text === undefined) continue;
      model.read.push({ at: where, dest: r.dest, text, private: true });
      Object.assign(values, parseDotenv(text).values);
    } else report(ctx, where, msg.refNotFile("env_file", r.written));
  }
  return values;
}

/** The .env compose reads for an included project in another folder: shipped along. */
function defaultDotenv(ctx: ComposeCtx, model: ComposeModel, dir: string, at: Located): Record<string, string> {
  const dest = relative(ctx.composeDir, resolve(dir, ".env"));
  if (dest === ".env" || !staysInside(dest)) return {};
  const found = lookInside(ctx.baseDir, resolve(dir, ".env"));
  if (typeof found === "string" || found.kind !== "file") return {};
  const text = readFileSync(found.real, "utf8");
  model.read.push({ at, dest, text, private: true });
  return parseDotenv(text).values;
}

/** Merge a later file onto the model the way compose merges -f files and overrides. */
export function mergeInto(model: ComposeModel, later: ComposeModel): void {
  model.files.push(...later.files);
  model.read.push(...later.read);
  for (const [k, v] of later.services) {
    const base = model.services.get(k);
    model.services.set(k, base ? mergeService(base, v) : v);
  }
  for (const kind of TOP) for (const [k, v] of later[kind]) model[kind].set(k, v);
}
