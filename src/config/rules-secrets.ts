// Secret values are known only once the store is read, after the schema ran: a secret used by a
// key that gets the line rule must pass that rule too, or it would add lines to rclone.conf (or
// crash rendering). The key's own string schema decides, so plain and secret values of a key are
// held to the same rule. The diagnostic names the secret, never its value.
import { rules as msg } from "../catalogue.js";
import { lineFault, LINE_CODE, type LineFault } from "./line-safe.js";
import type { Problems } from "./rules.js";
import { configSchema } from "./schema.js";
import { nodesAt } from "./shape.js";

type Key = string | number;
const LINE_CODES = new Set(Object.values(LINE_CODE));

/** The line fault of `value` if the key at `path` gets the line rule. */
export function lineFaultAt(path: readonly Key[], value: string): LineFault | undefined {
  // .env values have their own check (checkEnv): a tab reads back there.
  if (path.length === 3 && path[0] === "stack" && path[1] === "env") return lineFault(value, { tab: true });
  const refused = nodesAt(configSchema, path).some(
    (node) => node.safeParse(value).error?.issues.some((i) => LINE_CODES.has(i.message)) ?? false,
  );
  return refused ? lineFault(value) : undefined;
}

export function checkSecretLines(
  p: Problems,
  refs: readonly { name: string; path: Key[] }[],
  secrets: Record<string, string>,
): void {
  for (const r of refs) {
    const value = secrets[r.name];
    const fault = value === undefined ? undefined : lineFaultAt(r.path, value);
    if (fault) p.add(r.path, msg.secretLine(r.name, fault), false, [...r.path, "secret"]);
  }
}
