// A parsed YAML file that remembers where every node came from, so any config path can be
// turned into file:line:col for a diagnostic.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Diagnostic } from "./diagnostics.js";

export interface Source {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export function parseSource(file: string, text: string): Source {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  return { file, text, doc, lines };
}

function lineText(src: Source, line: number): string {
  return src.text.split(/\r?\n/)[line - 1] ?? "";
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

/** The node at path, or the deepest existing ancestor; `key` true points at the map key itself. */
export function locate(src: Source, path: readonly Key[], key = false): { offset: number; length: number } {
  let node: unknown = src.doc.contents;
  let best = rangeOf(node) ?? { offset: 0, length: 1 };
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
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
