// `docker compose config` on the exact stack directory the server gets (compose.yaml, the .env
// generated from stack.env, every shipped file), when this machine has docker with compose v2:
// compose's own validation, in firstboot's diagnostic format. The directory is private (0700),
// holds the secrets of the .env, and is removed afterwards; compose's messages lose every secret.
import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { compose as msg } from "./catalogue.js";
import type { Diagnostic } from "./config/diagnostics.js";
import type { Loaded } from "./config/load.js";
import { at, locate, parseSource, type Source } from "./config/source.js";
import { run } from "./exec.js";
import { context } from "./render/index.js";
import { stackPart } from "./render/stack.js";

export const COMPOSE_VERSION_ARGV: readonly string[] = ["docker", "compose", "version"];

/** As the server's stack unit runs it: in the stack directory, the project named after the stack. */
export function composeConfigArgv(project: string): string[] {
  return ["docker", "compose", "--project-name", project, "config", "--quiet"];
}

/** docker's environment: where it and its plugins are, and nothing that steers compose (COMPOSE_FILE ...). */
export function composeEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const keep = ["PATH", "HOME", "DOCKER_CONFIG"].filter((k) => env[k] !== undefined);
  return Object.fromEntries(keep.map((k) => [k, env[k]!]));
}

export interface TreeFile {
  /** Relative to the stack directory. */
  path: string;
  content: string;
  mode: string;
}

/** The stack directory's files exactly as the renderer writes them on the server. */
export function stackTree(loaded: Loaded): TreeFile[] {
  const ctx = context(loaded, {});
  const dir = `${ctx.stackDir}/`;
  return (stackPart(loaded.config, ctx, loaded.included).files ?? [])
    .filter((f) => f.path.startsWith(dir))
    .map((f) => ({ path: f.path.slice(dir.length), content: f.content, mode: f.mode }));
}

export async function writeTree(root: string, files: readonly TreeFile[]): Promise<void> {
  for (const f of files) {
    const file = join(root, f.path);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, f.content, { mode: Number.parseInt(f.mode, 8) });
    await chmod(file, Number.parseInt(f.mode, 8));
  }
}

/** Compose's complaint, without the temp dir's name or any secret, located in the compose file when it says where. */
export function mapComposeError(
  output: string,
  o: { dirs: string[]; compose: Source; secrets: readonly string[] },
): Diagnostic {
  let text = o.secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join("[redacted]"), output);
  for (const d of o.dirs) text = text.split(`${d}/`).join("").split(d).join(".");
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^WARN\[|level=warn/i.test(l));
  const quoted = lines.slice(-5).join(" ");
  const advice = msg.configFailed(quoted);
  const line = /\bline (\d+)\b/.exec(quoted);
  const service = /\bservices?[ .]"?([A-Za-z0-9._-]+?)"?(?:[ .:]|$)/.exec(quoted);
  // A line number is the compose file's only when compose names no other YAML file (an include).
  const others = (quoted.match(/[\w./-]+\.ya?ml\b/g) ?? []).filter((f) => f !== "compose.yaml");
  if (line && others.length === 0) {
    const offset = o.compose.lines.lineStarts[Number(line[1]) - 1];
    if (offset !== undefined) return at(o.compose, offset, 1, { path: "stack.compose", ...advice });
  }
  if (service && o.compose.doc.hasIn(["services", service[1]!])) {
    const loc = locate(o.compose, ["services", service[1]!], true);
    return at(o.compose, loc.offset, loc.length, { path: "stack.compose", ...advice });
  }
  return { path: "stack.compose", file: o.compose.file, line: 0, col: 0, ...advice };
}

export type ComposeCheck = { kind: "skipped" } | { kind: "ok" } | { kind: "failed"; diagnostics: Diagnostic[] };

export async function composeConfigCheck(
  loaded: Loaded,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<ComposeCheck> {
  const env = composeEnv(opts.env ?? process.env);
  const probe = { env, cleanEnv: true, allowFailure: true, timeoutMs: 20_000 };
  if ((await run(COMPOSE_VERSION_ARGV, probe)).exitCode !== 0) return { kind: "skipped" };
  const dir = await mkdtemp(join(tmpdir(), "firstboot-compose-"));
  try {
    await writeTree(dir, stackTree(loaded));
    const secrets = Object.values(loaded.secrets);
    const r = await run(composeConfigArgv(loaded.config.name), { ...probe, cwd: dir, timeoutMs: 60_000 });
    if (r.exitCode === 0) return { kind: "ok" };
    const shown = relative(process.cwd(), resolve(loaded.baseDir, loaded.config.stack.compose));
    const compose = parseSource(shown || loaded.config.stack.compose, loaded.included.compose);
    const dirs = [await realpath(dir), dir];
    return { kind: "failed", diagnostics: [mapComposeError(`${r.stderr}\n${r.stdout}`, { dirs, compose, secrets })] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
