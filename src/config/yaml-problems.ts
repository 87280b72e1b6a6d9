// YAML syntax problems of a parsed file (the config or the compose file) as diagnostics.
import { CST, isMap, Parser, visit } from "yaml";
import { yaml as yamlMsg } from "../catalogue.js";
import type { Diagnostic } from "./diagnostics.js";
import { at, type Source } from "./source.js";

/** The text of the key a duplicate-key error points at. */
function keyAt(src: Source, offset: number): string {
  return /^\s*["']?([^"':\n]+)/.exec(src.text.slice(offset))?.[1]?.trim() ?? "?";
}

/** Where a quoted scalar that runs to the end of the file opens (yaml reports its end). */
function unclosedQuote(text: string): { offset: number; length: number; quote: string } | undefined {
  let found: { offset: number; length: number; quote: string } | undefined;
  for (const tok of new Parser().parse(text)) {
    if (tok.type !== "document") continue;
    CST.visit(tok, (item) => {
      for (const t of [item.key, item.value]) {
        if (found || !t || (t.type !== "double-quoted-scalar" && t.type !== "single-quoted-scalar")) continue;
        const q = t.source[0] ?? "";
        const closed =
          t.source.length > 1 && t.source.endsWith(q) && !(q === '"' && /(^|[^\\])(\\\\)*\\"$/.test(t.source));
        if (!closed) found = { offset: t.offset, length: t.source.split("\n")[0]!.length, quote: q };
      }
    });
  }
  return found;
}

/**
 * YAML errors after the first are almost always echoes of it (one tab can yield seven), so only
 * the first syntax error is shown; duplicate keys are independent and all shown.
 */
export function yamlProblems(src: Source, path = ""): Diagnostic[] {
  const dupes = src.doc.errors.filter((e) => e.code === "DUPLICATE_KEY");
  const syntax = src.doc.errors.filter((e) => e.code !== "DUPLICATE_KEY").slice(0, 1);
  const out = [...syntax, ...dupes].map((e) => {
    const open = e.code === "MISSING_CHAR" && /quote/.test(e.message) ? unclosedQuote(src.text) : undefined;
    if (open) return at(src, open.offset, open.length, { path, ...yamlMsg.unclosedQuote(open.quote) });
    const advice =
      e.code === "DUPLICATE_KEY"
        ? yamlMsg.duplicateKey(keyAt(src, e.pos[0]))
        : yamlMsg.syntax(e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
    return at(src, e.pos[0], Math.max(1, e.pos[1] - e.pos[0]), { path, ...advice });
  });
  if (out.length === 0) out.push(...aliasProblems(src, path));
  if (out.length === 0 && !isMap(src.doc.contents)) out.push(at(src, 0, 1, { path, ...yamlMsg.notMap() }));
  return out;
}

/** An alias without its anchor, or aliases that expand past yaml's limit (a "billion laughs"):
 * `toJS` throws on both, so they are found here, before anything converts the document. */
export function aliasProblems(src: Source, path: string): Diagnostic[] {
  try {
    src.doc.toJS();
    return [];
  } catch {
    let found: Diagnostic | undefined;
    visit(src.doc, {
      Alias(_key, node) {
        const missing = node.resolve(src.doc) === undefined;
        if (found && !missing) return;
        const [start = 0, end = start + 1] = node.range ?? [];
        found = at(src, start, Math.max(1, end - start), { path, ...yamlMsg.badAlias(node.source, !missing) });
        if (missing) return visit.BREAK;
      },
    });
    return found ? [found] : [at(src, 0, 1, { path, ...yamlMsg.badAlias("", true) })];
  }
}
