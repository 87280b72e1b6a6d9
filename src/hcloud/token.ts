// Where the API token comes from: HCLOUD_TOKEN, else the active context of the hcloud CLI's
// config (the file `hcloud context create` writes), so users of the CLI need no extra setup.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export interface CliContext {
  name: string;
  token?: string;
  endpoint?: string;
}

export interface CliConfig {
  activeContext?: string;
  contexts: CliContext[];
}

function unquote(v: string): string {
  const t = v.trim();
  const m = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(t);
  if (!m) return t.replace(/\s+#.*$/, "");
  return m[1] !== undefined ? m[1].replace(/\\(["\\])/g, "$1") : (m[2] ?? "");
}

/** Parses the small TOML subset cli.toml uses: top-level keys and [[contexts]] tables. */
export function parseCliToml(text: string): CliConfig {
  const config: CliConfig = { contexts: [] };
  let current: CliContext | undefined;
  let inOther = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      inOther = line !== "[[contexts]]";
      current = inOther ? undefined : { name: "" };
      if (current) config.contexts.push(current);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0 || inOther) continue;
    const key = line.slice(0, eq).trim();
    const value = unquote(line.slice(eq + 1));
    if (!current && key === "active_context") config.activeContext = value;
    if (current && (key === "name" || key === "token" || key === "endpoint")) current[key] = value;
  }
  return config;
}

export function cliConfigPath(env: NodeJS.ProcessEnv): string {
  return env.HCLOUD_CONFIG ?? join(env.HOME ?? homedir(), ".config", "hcloud", "cli.toml");
}

export interface Credentials {
  token: string;
  endpoint: string;
  source: string;
}

export const DEFAULT_ENDPOINT = "https://api.hetzner.cloud/v1";

/** Returns undefined when no token is configured anywhere. */
export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const endpointEnv = env.HCLOUD_ENDPOINT;
  if (env.HCLOUD_TOKEN) {
    return { token: env.HCLOUD_TOKEN, endpoint: endpointEnv ?? DEFAULT_ENDPOINT, source: "HCLOUD_TOKEN" };
  }
  const path = cliConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const config = parseCliToml(text);
  const name = env.HCLOUD_CONTEXT ?? config.activeContext;
  const ctx = config.contexts.find((c) => c.name === name);
  if (!ctx?.token) return undefined;
  return {
    token: ctx.token,
    endpoint: endpointEnv ?? ctx.endpoint ?? DEFAULT_ENDPOINT,
    source: `${path} (context ${ctx.name})`,
  };
}
