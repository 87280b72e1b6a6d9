// YAML syntax problems of a parsed file (the config or the compose file) as diagnostics.
import { isMap } from "yaml";
import { yaml as yamlMsg } from "../catalogue.js";
import type { Diagnostic } from "./diagnostics.js";
import { at, type Source } from "./source.js";

/** The text of the key a duplicate-key error points at. */
function keyAt(src: Source, offset: number): string {
  return /^\s*["']?([^"':\n]+)/.exec(src.text.slice(offset))?.[1]?.trim() ?? "?";
}

/**
 * YAML errors after the first are almost always echoes of it (one tab can yield seven), so only
 * the first syntax error is shown; duplicate keys are independent and all shown.
 */
export function yamlProblems(src: Source, path = ""): Diagnostic[] {
  const dupes = src.doc.errors.filter((e) => e.code === "DUPLICATE_KEY");
  const syntax = src.doc.errors.filter((e) => e.code !== "DUPLICATE_KEY").slice(0, 1);
  const out = [...syntax, ...dupes].map((e) => {
    const advice = e.code === "DUPLICATE_KEY" ? yamlMsg.duplicateKey(keyAt(src, e.pos[0])) : yamlMsg.syntax(e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
    return at(src, e.pos[0], Math.max(1, e.pos[1] - e.pos[0]), { path, ...advice });
  });
  if (out.length === 0 && !isMap(src.doc.contents)) out.push(at(src, 0, 1, { path, ...yamlMsg.notMap() }));
  return out;
}
