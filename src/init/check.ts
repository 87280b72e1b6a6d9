// An answer to `init` checked by the rule `validate` applies at the config path it lands on: the
// schema piece at that path (nodesAt) parses it, and a refusal is worded by the same code that
// words validate's diagnostics (issuesToDiagnostics), so the terminal and `validate` agree.
import { stringify } from "yaml";
import type { Advice } from "../catalogue.js";
import { issuesToDiagnostics } from "../config/issues.js";
import { configSchema } from "../config/schema.js";
import { nodesAt, shapeAt } from "../config/shape.js";
import { parseSource } from "../config/source.js";

export type Key = string | number;

/** `value` placed at `path` of an otherwise empty config. */
function nested(path: readonly Key[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, k) => (typeof k === "number" ? [inner] : { [k]: inner }), value);
}

/** Why validate would refuse `value` at `path`, or undefined when it takes it. */
export function checkAt(path: readonly Key[], value: unknown): Advice | undefined {
  const nodes = nodesAt(configSchema, path);
  const results = nodes.map((n) => n.safeParse(value));
  const failed = results.find((r) => !r.success);
  if (nodes.length === 0 || !failed || results.some((r) => r.success)) return undefined;
  const src = parseSource("answer", stringify(nested(path, value)));
  const issues = failed.error!.issues.map((i) => ({ ...i, path: [...path, ...i.path] }));
  const [first] = issuesToDiagnostics(issues, src, (p) => shapeAt(configSchema, p));
  return first && { message: first.message, ...(first.hint ? { hint: first.hint } : {}) };
}
