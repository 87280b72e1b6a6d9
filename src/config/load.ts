// Load firstboot.yaml: parse with positions, validate with the schema, apply cross-field rules,
// read included files and resolve secrets. Returns a typed config or every problem at once.
import { dirname, relative, resolve } from "node:path";
import { rules as ruleMsg } from "../catalogue.js";
import { envSecrets, resolveFrom } from "../secrets/paths.js";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { issuesToDiagnostics } from "./issues.js";
import { checkEnv, checkIncludes, Problems, secretRefs, type Included } from "./rules.js";
import { checkCompose } from "./compose.js";
import { configSchema, type Config } from "./schema.js";
import { shapeAt } from "./shape.js";
import { parseSource, type Source } from "./source.js";
import { loadYamlFile } from "./yaml-file.js";
import { softRules } from "./warnings.js";
import { imageInfo } from "./images.js";
import { backupProblems } from "./rules-backup.js";
import { distroProblem } from "./rules-docker.js";
import { nearest } from "./nearest.js";
import { checkSecretLines } from "./rules-secrets.js";

export interface Loaded {
  config: Config;
  configPath: string;
  baseDir: string;
  included: Included;
  /** Public ports the stack's running services publish (e.g. "443/udp"), variables resolved. */
  published: string[];
  /** Values of the secrets the config references (and only those). */
  secrets: Record<string, string>;
  /** Soft-rule findings: shown, never fatal. */
  warnings: Diagnostic[];
}

export type LoadResult = { ok: true; loaded: Loaded } | { ok: false; diagnostics: Diagnostic[] };

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Skip reading secrets (e.g. `render --redact` on a machine without the identity). */
  skipSecrets?: boolean;
}

async function resolveSecrets(
  p: Problems,
  cfg: Config,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string>> {
  const refs = secretRefs(cfg);
  if (refs.length === 0) return {};
  const fromEnv = envSecrets(env);
  let stored: Record<string, string> = {};
  const storeFile = resolveFrom(baseDir, cfg.secrets.file, env);
  if (refs.some((r) => fromEnv[r.name] === undefined)) {
    const identity = env.FIRSTBOOT_IDENTITY ?? resolveFrom(baseDir, cfg.secrets.identity, env);
    try {
      // age (and its curve library) loads only when the secrets file must really be opened.
      const { readStore } = await import("../secrets/store.js");
      stored = await readStore(storeFile, identity);
    } catch (err) {
      const advice = ruleMsg.secretsUnreadable(cfg.secrets.file, (err as Error).message.split("\n")[0]!);
      // Without a `secrets:` block in the file there is no line to show: name the file only.
      if (p.src.doc.has("secrets")) p.add(["secrets", "file"], advice);
      else p.list.push({ path: "secrets.file", file: p.src.file, line: 0, col: 0, ...advice });
      return {};
    }
  }
  const out: Record<string, string> = {};
  for (const r of refs) {
    const v = fromEnv[r.name] ?? stored[r.name];
    const near = () => nearest(r.name, [...Object.keys(stored), ...Object.keys(fromEnv)]);
    if (v === undefined)
      p.add(r.path, ruleMsg.secretUndefined(r.name, cfg.secrets.file, near()), false, [...r.path, "secret"]);
    else out[r.name] = v;
  }
  return out;
}

/** Rules owned by the sections themselves (docker source per image, backup/restore). */
function sectionRules(p: Problems, cfg: Config): void {
  if (cfg.docker === false) p.add(["docker"], ruleMsg.dockerOff());
  else if (cfg.docker.source === "distro") {
    const why = distroProblem(imageInfo(cfg.server.image, cfg.server.type));
    if (why) p.add(["docker", "source"], ruleMsg.dockerDistro(why));
  }
  for (const b of backupProblems(cfg.backup, cfg.restore)) p.add(b.path, ruleMsg.backup(b.message));
  const ssh = cfg.hardening.ssh;
  if (ssh && ssh.allow_users && !ssh.allow_users.includes(cfg.admin.user))
    p.add(["hardening", "ssh", "allow_users"], ruleMsg.sshLockout(cfg.admin.user));
}

/**
 * With schema errors there is no typed config, but the stack's files and env values can still
 * be checked when their own shape is right: the user sees every problem in one run.
 */
function rawRules(p: Problems, data: unknown, baseDir: string): void {
  const stack = (data as { stack?: unknown } | null)?.stack as Record<string, unknown> | undefined;
  if (!stack || typeof stack !== "object") return;
  const isMapOf = (v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
  const env =
    stack.env && typeof stack.env === "object"
      ? Object.fromEntries(Object.entries(stack.env).filter(([, v]) => typeof v === "string"))
      : {};
  checkEnv(p, { stack: { env } } as unknown as Config);
  if (typeof stack.compose === "string" && (stack.files === undefined || isMapOf(stack.files))) {
    checkIncludes(p, { stack: { compose: stack.compose, files: stack.files ?? {} } } as unknown as Config, baseDir);
  }
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => !seen.has(`${d.path}@${d.line}:${d.col}`) && !!seen.add(`${d.path}@${d.line}:${d.col}`));
}

export async function loadConfig(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const env = opts.env ?? process.env;
  const configPath = resolve(file);
  const shown = relative(process.cwd(), configPath) || file;
  const read = await loadYamlFile(configPath, shown, { map: true });
  if (!read.ok) return { ok: false, diagnostics: read.diagnostics };
  const { src, data } = read;
  const parsed = configSchema.safeParse(data);
  const baseDir = dirname(configPath);
  if (!parsed.success) {
    const problems = new Problems(src);
    rawRules(problems, data, baseDir);
    const schemaProblems = issuesToDiagnostics(parsed.error.issues, src, (p) => shapeAt(configSchema, p));
    return { ok: false, diagnostics: sortDiagnostics(dedupe([...schemaProblems, ...problems.list])) };
  }
  const config = parsed.data;
  const problems = new Problems(src);
  checkEnv(problems, config);
  sectionRules(problems, config);
  const secrets = opts.skipSecrets ? {} : await resolveSecrets(problems, config, baseDir, env);
  checkSecretLines(problems, secretRefs(config), secrets);
  return stackRules(problems, src, config, { configPath, baseDir, secrets });
}

/** The stack's files and compose model; the result of the whole load. */
function stackRules(
  problems: Problems,
  src: Source,
  config: Config,
  rest: Pick<Loaded, "configPath" | "baseDir" | "secrets">,
): LoadResult {
  const read = checkIncludes(problems, config, rest.baseDir);
  const composeShown = relative(process.cwd(), resolve(rest.baseDir, config.stack.compose)) || config.stack.compose;
  const compose = read && parseSource(composeShown, read.compose);
  const stackFiles = read ? stackFileSources(read) : {};
  const checked = compose ? checkCompose(problems, config, compose, rest.baseDir, stackFiles) : { diagnostics: [] };
  const all = [...problems.list, ...checked.diagnostics];
  const facts = checked.facts;
  if (all.length || !read || !facts) return { ok: false, diagnostics: sortDiagnostics(all) };
  const { shipping } = facts;
  const included: Included = {
    compose: read.compose,
    files: { ...read.files, ...textFiles(shipping.files) },
    ...(shipping.private.length ? { private: [...shipping.private].sort() } : {}),
  };
  const warnings = sortDiagnostics([...softRules(src, config, facts), ...facts.warnings]);
  return { ok: true, loaded: { config, ...rest, included, published: facts.published, warnings } };
}

const textFiles = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v, "utf8")]));

function stackFileSources(read: Included & { sources: Record<string, string> }) {
  return Object.fromEntries(
    Object.entries(read.sources).map(([d, abs]) => [d, { abs, text: read.files[d]!.toString("utf8") }]),
  );
}
