// Problems found in a config, formatted like Butane/rustc: what, where (file:line:col with the
// source line and a caret), and what to do. Every problem carries its config path.
import { byCodePoint } from "../compare.js";

export interface Diagnostic {
  /** Dotted config path, e.g. "stack.env.DB_URL"; "" for the whole file. */
  path: string;
  message: string;
  /** What the user should do. */
  hint?: string;
  file: string;
  /** 1-based; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  col: number;
  /** Caret length. */
  length?: number;
  /** The source text of that line, when known. */
  source?: string;
  /** Warnings never stop a render (soft rules in warnings.ts); absent means an error. */
  severity?: "warning";
}

export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((p, i) =>
      typeof p === "number" ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? (i ? "." : "") + p : `[${JSON.stringify(p)}]`,
    )
    .join("");
}

/** Source lines longer than this are cut to a window around the caret (a 1 MB line is one line). */
const MAX_SHOWN = 160;

/**
 * The source line as printed: control characters (a terminal would act on an escape sequence)
 * become U+FFFD, and a long line is cut around the caret; `col` is the caret's column in it.
 */
function shownLine(source: string, col: number): { text: string; col: number } {
  // eslint-disable-next-line no-control-regex
  const text = source.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\ufffd");
  if (text.length <= MAX_SHOWN) return { text, col };
  const start = Math.max(0, Math.min(col - 1 - 40, text.length - MAX_SHOWN));
  const end = Math.min(text.length, start + MAX_SHOWN);
  const lead = start > 0 ? "…" : "";
  return { text: lead + text.slice(start, end) + (end < text.length ? "…" : ""), col: col - start + lead.length };
}

export function formatDiagnostic(d: Diagnostic): string {
  const out = [`${d.severity ?? "error"}[${d.path || "<file>"}]: ${d.message}`];
  if (d.line > 0) {
    out.push(`  --> ${d.file}:${d.line}:${d.col}`);
    if (d.source !== undefined) {
      const gutter = String(d.line).length;
      const pad = " ".repeat(gutter);
      const shown = shownLine(d.source, d.col);
      const caretLen = Math.max(1, Math.min(d.length ?? 1, shown.text.length - shown.col + 1));
      out.push(
        `${pad} |`,
        `${d.line} | ${shown.text}`,
        `${pad} | ${" ".repeat(Math.max(0, shown.col - 1))}${"^".repeat(caretLen)}`,
      );
    }
  } else {
    out.push(`  --> ${d.file}`);
  }
  if (d.hint) out.push(`  = help: ${d.hint}`);
  return out.join("\n");
}

export function formatDiagnostics(ds: readonly Diagnostic[]): string {
  return ds.map(formatDiagnostic).join("\n\n") + "\n";
}

/** Stable order: by file, line, column, path, so output and golden tests never flap. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) => byCodePoint(a.file, b.file) || a.line - b.line || a.col - b.col || byCodePoint(a.path, b.path),
  );
}
