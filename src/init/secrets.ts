// The secrets a new stack needs and where their values come from. A compose variable without a
// default (other than the domain and email init asks for) becomes a secret named after it; a
// backup target needs its credentials. Values are checked by the rule validate applies to the
// key they fill (lineFaultAt), and are never shown.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { init as msg, rules as ruleMsg, type Advice } from "../catalogue.js";
import { lineFaultAt } from "../config/rules-secrets.js";
import { SECRET_NAME } from "../config/schema-value.js";
import { expandHome } from "../secrets/paths.js";
import type { Diagnostic } from "../config/diagnostics.js";
import type { Key } from "./check.js";
import { flagProblem } from "./flags.js";
import type { Draft } from "./questions.js";

export interface SecretNeed {
  name: string;
  /** The config key the value fills (its rule checks the value). */
  path: Key[];
  /** A random value fits (an app's own password); a provider's credential must be given. */
  generate: boolean;
}

/** What a compose variable is to init: the domain, the ACME email, or a secret. */
export function envRole(variable: string): "domain" | "email" | "secret" {
  if (/DOMAIN/i.test(variable)) return "domain";
  return /EMAIL/i.test(variable) ? "email" : "secret";
}

/** The secret that holds a compose variable's value. */
export function secretNameOf(variable: string): string {
  const name = variable.toLowerCase();
  return SECRET_NAME.test(name) ? name : `env_${name.replace(/^_+/, "")}`;
}

export function secretNeeds(variables: readonly string[], d: Draft): SecretNeed[] {
  const env = variables
    .filter((v) => envRole(v) === "secret")
    .map((v) => ({ name: secretNameOf(v), path: ["stack", "env", v], generate: true }));
  const target: SecretNeed[] =
    d.backup_target === "sftp"
      ? [{ name: "backup_key", path: ["backup", "target", "sftp", "key"], generate: false }]
      : d.backup_target === "s3"
        ? ["access_key_id", "secret_access_key"].map((k) => ({
            name: `backup_${k}`,
            path: ["backup", "target", "s3", k],
            generate: false,
          }))
        : [];
  return [...env, ...target];
}

/** 32 random bytes, URL-safe: fits a .env line and any password field. */
export const generated = () => randomBytes(32).toString("base64url");

export type Resolved = { value: string; generated: boolean } | { problem: Advice };

/** The value a source (generate, env:VAR, file:PATH) gives, or why it gives none. */
export async function fromSource(need: SecretNeed, source: string, env: NodeJS.ProcessEnv): Promise<Resolved> {
  if (source === "generate")
    return need.generate ? { value: generated(), generated: true } : { problem: msg.secretNoGenerate(need.name) };
  if (source.startsWith("env:")) {
    const value = env[source.slice(4)];
    return value ? checked(need, value) : { problem: msg.secretEnvUnset(source.slice(4)) };
  }
  const path = expandHome(source.slice(5), env);
  try {
    const raw = await readFile(path, "utf8");
    // A file ends in a newline, which a one-line key cannot take: that one is not the value's.
    const value = lineFaultAt(need.path, "x\n") ? raw.replace(/\r?\n$/, "") : raw;
    return value ? checked(need, value) : { problem: msg.secretEmpty(need.name) };
  } catch (err) {
    return { problem: msg.secretFileUnreadable(path, (err as NodeJS.ErrnoException).code ?? String(err)) };
  }
}

/** A value held to the rule of the key it fills (one line where the key is one line). */
export function checked(need: SecretNeed, value: string): Resolved {
  const fault = lineFaultAt(need.path, value);
  return fault ? { problem: ruleMsg.secretLine(need.name, fault) } : { value, generated: false };
}

/**
 * Each needed secret from its --secret source; one without a source is generated when it may be,
 * left `open` (to be asked on a terminal), or a problem. A --secret naming no needed secret is a
 * mistake too. Every problem is named by --secret.
 */
export async function resolveAll(
  needs: readonly SecretNeed[],
  sources: Record<string, string>,
  env: NodeJS.ProcessEnv,
  open = false,
): Promise<{ values: Record<string, Resolved>; problems: Diagnostic[] }> {
  const names = needs.map((n) => n.name);
  const problems = Object.keys(sources)
    .filter((n) => !names.includes(n))
    .map((n) => flagProblem("--secret", undefined, msg.secretUnknown(n, names)));
  const values: Record<string, Resolved> = {};
  for (const need of needs) {
    const source = sources[need.name] ?? (open ? undefined : need.generate ? "generate" : undefined);
    if (!source && open) continue;
    const r = source ? await fromSource(need, source, env) : { problem: msg.secretMissing(need.name) };
    if ("problem" in r) problems.push(flagProblem("--secret", undefined, r.problem));
    values[need.name] = r;
  }
  return { values, problems };
}
