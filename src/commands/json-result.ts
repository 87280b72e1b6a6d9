// The final JSON object of a failed --json run, so a script always gets one: the exit code, the
// message as printed on stderr (without terminal colours) and, for a bad config, each problem.
import { stripVTControlCharacters } from "node:util";
import type { Diagnostic } from "../config/diagnostics.js";

interface JsonDiagnostic {
  severity: "error" | "warning";
  key: string;
  message: string;
  help?: string;
  file: string;
  line?: number;
  col?: number;
}

function jsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  const at = d.line > 0 ? { line: d.line, col: d.col } : {};
  return { severity: d.severity ?? "error", key: d.path, message: d.message, help: d.hint, file: d.file, ...at };
}

/**
 * `type: "done"` makes it the last event of the verbs that stream events (up, replace, …), which
 * then leave their own failed "done" to it; the one-object verbs (status, size) carry it too.
 */
export function failureJson(code: number, text: string, diagnostics?: readonly Diagnostic[]): string {
  return JSON.stringify({
    type: "done",
    ok: false,
    exit: code,
    error: stripVTControlCharacters(text),
    ...(diagnostics ? { diagnostics: diagnostics.map(jsonDiagnostic) } : {}),
  });
}
