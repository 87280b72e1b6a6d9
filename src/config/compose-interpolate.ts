// Compose's variable interpolation ($VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR:+alt}, nested defaults, $$ for a literal $), with the values the server's .env will hold.
// A value that is a secret is unknown here: the result names it instead of guessing.
import type { ValueInput } from "./schema-value.js";

export type EnvValues = Readonly<Record<string, ValueInput>>;

export interface Interpolated {
  text: string;
  /** Variables whose value is a secret: `text` is not what the server will see. */
  secrets: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(s: string, env: EnvValues): Interpolated {
  const secrets: string[] = [];
  return { text: subst(s, env, secrets), secrets };
}

function subst(s: string, env: EnvValues, secrets: string[]): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const next = s[i + 1];
    if (s[i] !== "$") out += s[i++];
    else if (next === "$") [out, i] = [out + "$", i + 2];
    else if (next === "{") {
      const end = closing(s, i + 2);
      if (end < 0) return out + s.slice(i);
      out += braced(s.slice(i + 2, end), env, secrets);
      i = end + 1;
    } else {
      const name = NAME.exec(s.slice(i + 1))?.[0];
      out += name ? braced(name, env, secrets) : "$";
      i += 1 + (name?.length ?? 0);
    }
  }
  return out;
}

/** Index of the `}` that closes a `${` whose body starts at `from`, nested ones counted. */
function closing(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === "$" && s[i + 1] === "{") [depth, i] = [depth + 1, i + 1];
    else if (s[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, env: EnvValues, secrets: string[]): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) return "";
  const [, name = "", op, arg = ""] = m;
  const v = env[name];
  const rest = () => subst(arg, env, secrets);
  if (v !== undefined && typeof v !== "string") {
    secrets.push(name);
    return "";
  }
  const nonEmpty = v !== undefined && v !== "";
  if (op === ":-") return nonEmpty ? v : rest();
  if (op === "-") return v ?? rest();
  if (op === ":+") return nonEmpty ? rest() : "";
  if (op === "+") return v === undefined ? "" : rest();
  return v ?? "";
}
