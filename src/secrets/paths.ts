// Path and identity-file helpers, kept apart from store.ts so commands can use them without
// loading the age library.
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";

export function expandHome(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return p === "~" || p.startsWith("~/") ? (env.HOME ?? homedir()) + p.slice(1) : p;
}

export function resolveFrom(baseDir: string, p: string, env: NodeJS.ProcessEnv = process.env): string {
  const e = expandHome(p, env);
  return isAbsolute(e) ? e : resolve(baseDir, e);
}

/** The identity lines of an age identity file (comments stripped). */
export function parseIdentityFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith("AGE-SECRET-KEY-"));
}

export const ENV_PREFIX = "FIRSTBOOT_SECRET_";

/** Secrets named in FIRSTBOOT_SECRET_<NAME> variables (NAME upper-cased in the variable). */
export function envSecrets(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(ENV_PREFIX) && v !== undefined) out[k.slice(ENV_PREFIX.length).toLowerCase()] = v;
  }
  return out;
}
