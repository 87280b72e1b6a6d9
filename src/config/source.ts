// A parsed YAML file that remembers where every node came from, so any config path can be
// turned into file:line:col for a diagnostic.
import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  YAMLParseError,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import type { Diagnostic } from "./diagnostics.js";

export interface Source {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** No config or compose file nests this deep; yaml runs out of stack near 800 and slows down long before. */
export const MAX_DEPTH = 256;

/**
 * An upper bound of the nesting depth, without parsing: open flow brackets plus the block
 * indicators (`- `, `? `, `: `) on one line. Brackets inside quotes or comments count too, which
 * only overestimates, and no real file comes near the limit. Returns where the limit is passed.
 */
function tooDeepAt(text: string): number | undefined {
  let flow = 0;
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line = 0;
    else if (c === 91 || c === 123) flow++;
    else if (c === 93 || c === 125) flow = Math.max(0, flow - 1);
    else if (c === 45 || c === 63 || c === 58) {
      const before = i === 0 ? 32 : text.charCodeAt(i - 1);
      const after = i + 1 < text.length ? text.charCodeAt(i + 1) : 32;
      if ((before === 32 || before === 10 || c === 58) && (after === 32 || after === 10)) line++;
    }
    if (flow + line > MAX_DEPTH) return i;
  }
  return undefined;
}

export function parseSource(file: string, text: string): Source {
  const lines = new LineCounter();
  const deep = tooDeepAt(text);
  // Parsing it would take seconds: an empty document carries the one problem instead.
  const doc = parseDocument(deep === undefined ? text : "", {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
    strict: true,
  });
  if (deep !== undefined) {
    doc.errors.push(new YAMLParseError([deep, deep + 1], "RESOURCE_EXHAUSTION", "nested too deep"));
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  }
  return { file, text, doc, lines };
}

function lineText(src: Source, line: number): string {
  const start = src.lines.lineStarts[line - 1];
  if (start === undefined) return "";
  const end = src.lines.lineStarts[line] ?? src.text.length;
  return src.text.slice(start, end).replace(/\r?\n$/, "");
}

/** A diagnostic located at a character offset of the source. */
export function at(
  src: Source,
  offset: number,
  length: number,
  d: Pick<Diagnostic, "path" | "message" | "hint">,
): Diagnostic {
  const { line, col } = src.lines.linePos(offset);
  return { ...d, file: src.file, line, col, length, source: lineText(src, line) };
}

type Key = string | number;

interface PairIndex {
  /** By the key's text, as a config path names it (locate). */
  byText: Map<string, Pair>;
  /** By the key's value, as yaml's `getIn` compares them (the key 1 is not the path segment "1"). */
  byValue: Map<unknown, Pair>;
}

/**
 * Each map's pairs by key, built on its first lookup: a search of the map per diagnostic made
 * thousands of diagnostics quadratic. A parsed document is never changed, so an index stays true.
 */
const indexes = new WeakMap<YAMLMap, PairIndex>();

function pairIndex(map: YAMLMap): PairIndex {
  let index = indexes.get(map);
  if (index) return index;
  index = { byText: new Map(), byValue: new Map() };
  for (const p of map.items) {
    if (!isPair(p) || !isScalar(p.key)) continue;
    // Of repeated keys the first wins, as a search from the top finds it.
    const text = String(p.key.value);
    if (!index.byText.has(text)) index.byText.set(text, p);
    if (!index.byValue.has(p.key.value)) index.byValue.set(p.key.value, p);
  }
  indexes.set(map, index);
  return index;
}

/** The node at path, or the deepest existing ancestor; `key` true points at the map key itself. */
export function locate(src: Source, path: readonly Key[], key = false): { offset: number; length: number } {
  let node: unknown = src.doc.contents;
  let best = rangeOf(node) ?? { offset: 0, length: 1 };
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairIndex(node).byText.get(String(seg));
      if (!pair) break;
      const keyRange = rangeOf(pair.key);
      node = pair.value;
      best = (key && seg === path[path.length - 1] ? keyRange : (rangeOf(node) ?? keyRange)) ?? best;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      best = rangeOf(node) ?? best;
    } else break;
  }
  return best;
}

/** A sequence index as yaml reads one: a whole number >= 0, or its decimal text. */
function itemIndex(seg: Key): number | undefined {
  const n = typeof seg === "string" && seg ? Number(seg) : seg;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The node at exactly path, the one `src.doc.getIn(path, true)` returns, without searching each map. */
export function nodeAt(src: Source, path: readonly Key[]): unknown {
  let node: unknown = src.doc.contents;
  for (const seg of path) {
    if (!isCollection(node)) return undefined;
    const i = isSeq(node) ? itemIndex(seg) : undefined;
    node = isMap(node) ? (pairIndex(node).byValue.get(seg)?.value ?? undefined) : i === undefined ? i : node.items[i];
  }
  return node;
}

const holds = (n: unknown, offset: number) => {
  const r = (n as Node | null)?.range;
  return !!r && r[0] <= offset && offset < r[2];
};

/** The config path of the deepest node holding the offset (a key counts as its pair's path). */
export function pathAt(src: Source, offset: number): Key[] {
  const out: Key[] = [];
  let node: unknown = src.doc.contents;
  while (isMap(node) || isSeq(node)) {
    if (isSeq(node)) {
      const i = node.items.findIndex((n) => holds(n, offset));
      if (i < 0) break;
      out.push(i);
      node = node.items[i];
      continue;
    }
    const pair = node.items.find((p) => holds(p.key, offset) || holds(p.value, offset));
    if (!pair) break;
    out.push(isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
    if (holds(pair.key, offset)) break;
    node = pair.value;
  }
  return out;
}

function rangeOf(node: unknown): { offset: number; length: number } | undefined {
  const r = (node as Node | null)?.range;
  if (!r) return undefined;
  const [start, valueEnd] = r;
  // Collections span many lines: underline only their first token.
  const length = isMap(node) || isSeq(node) ? 1 : Math.max(1, valueEnd - start);
  return { offset: start, length };
}

/** A file that is not YAML (a dotenv file) as a Source, so diagnostics can point into it. */
export function textSource(file: string, text: string): Source {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  return { file, text, doc: parseDocument(""), lines };
}
