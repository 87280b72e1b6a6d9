// YAML problems of a parsed file (the config, the compose file, an image definition) as
// diagnostics: syntax, repeated keys, and the hazards a parse lets through (yaml-hazards.ts).
import { CST, isMap, isScalar, Parser, visit } from "yaml";
import { yaml as yamlMsg } from "../catalogue.js";
import { formatPath, type Diagnostic } from "./diagnostics.js";
import { at, MAX_DEPTH, pathAt, type Source } from "./source.js";
import { yamlHazards } from "./yaml-hazards.js";

export interface YamlCheck {
  /** The label of every problem; without it, the config path at the problem. */
  path?: string;
  /** Tags accepted besides the core schema's (compose's !reset and !override). */
  tags?: readonly string[];
  /** The file must be a map (the config; the compose file has its own wording for that). */
  map?: boolean;
}

/** Repeated keys beyond this many are summed up in one line: the first ones show the pattern. */
const MAX_DUPLICATES = 20;

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
 * Keys repeated in one map, in file order. yaml's own check compares each key with every key
 * before it (minutes for a 100,000-key map), so it is off in parseSource and done here with a set.
 */
function duplicateKeys(src: Source, label: (offset: number) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let more = 0;
  visit(src.doc, {
    Map: (_key, map) => {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const id = `${typeof pair.key.value}:${String(pair.key.value)}`;
        if (!seen.has(id)) seen.add(id);
        else if (out.length >= MAX_DUPLICATES) more++;
        else {
          const [start, end] = pair.key.range;
          const advice = yamlMsg.duplicateKey(String(pair.key.value));
          out.push(at(src, start, Math.max(1, end - start), { path: label(start), ...advice }));
        }
      }
    },
  });
  if (more) out.push({ ...out[out.length - 1]!, ...yamlMsg.moreDuplicates(more) });
  return out;
}

function syntaxProblem(src: Source, path: string): Diagnostic | undefined {
  const e = src.doc.errors[0];
  if (!e) return undefined;
  const open = e.code === "MISSING_CHAR" && /quote/.test(e.message) ? unclosedQuote(src.text) : undefined;
  if (open) return at(src, open.offset, open.length, { path, ...yamlMsg.unclosedQuote(open.quote) });
  const advice =
    e.code === "MULTIPLE_DOCS"
      ? yamlMsg.severalDocuments()
      : e.code === "RESOURCE_EXHAUSTION"
        ? yamlMsg.tooDeep(MAX_DEPTH)
        : yamlMsg.syntax(e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
  return at(src, e.pos[0], Math.max(1, e.pos[1] - e.pos[0]), { path, ...advice });
}

/**
 * YAML errors after the first are almost always echoes of it (one tab can yield seven), so only
 * the first syntax error is shown; repeated keys are independent and all shown. Aliases and tags
 * are checked once the file parses: converting it to values is safe only then.
 */
export function yamlProblems(src: Source, check: YamlCheck = {}): Diagnostic[] {
  const label = (offset: number) => check.path ?? formatPath(pathAt(src, offset));
  const syntax = syntaxProblem(src, check.path ?? "");
  // A parse stopped by depth leaves no document worth walking.
  if (syntax && src.doc.errors[0]?.code === "RESOURCE_EXHAUSTION") return [syntax];
  const out = [...(syntax ? [syntax] : []), ...duplicateKeys(src, label)];
  if (out.length === 0) out.push(...yamlHazards(src, label, check.tags));
  if (out.length === 0 && check.map && !isMap(src.doc.contents))
    out.push(at(src, 0, 1, { path: check.path ?? "", ...yamlMsg.notMap() }));
  return out;
}
