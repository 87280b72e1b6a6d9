// Turns zod issues into located diagnostics with catalogue wording.
import { isMap, isScalar, isSeq } from "yaml";
import type { z } from "zod";
import { formats, schema as msg, type Advice } from "../catalogue.js";
import { formatPath, type Diagnostic } from "./diagnostics.js";
import { at, locate, type Source } from "./source.js";

type Key = string | number;

/** "stack.env.X" -> "stack.env.*" style pattern used by the catalogue's `formats`. */
function patterns(path: readonly Key[]): string[] {
  const exact = path.map((p) => (typeof p === "number" ? "[]" : p));
  const dotted = (segs: (string)[]) => segs.join(".").replace(/\.\[\]/g, "[]");
  const wild = exact.map((p, i) => (i > 0 && (exact[i - 1] === "env" || exact[i - 1] === "files") ? "*" : p));
  const last = exact[exact.length - 1];
  return [dotted(exact), dotted(wild), `*.${last}`];
}

function typeName(src: Source, path: readonly Key[]): string {
  const node = src.doc.getIn(path, true);
  if (node === undefined) return "nothing";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "an empty value";
    return typeof v === "string" ? "a string" : typeof v === "boolean" ? `the boolean ${v}` : `the ${typeof v} ${String(v)}`;
  }
  return "something else";
}

function knownKeys(shape: unknown): string[] {
  return shape && typeof shape === "object" ? Object.keys(shape) : [];
}

function advise(issue: z.core.$ZodIssue, src: Source, shapeAt: (p: readonly Key[]) => unknown): Advice {
  const path = issue.path as Key[];
  switch (issue.code) {
    case "invalid_type": {
      const found = typeName(src, path);
      if (found === "nothing") return msg.missing(String(path[path.length - 1] ?? ""));
      return msg.wrongType(issue.expected === "object" ? "map" : issue.expected === "array" ? "list" : issue.expected, found);
    }
    case "invalid_value":
      return msg.notOneOf(issue.values);
    case "too_small":
      return msg.tooFew(Number(issue.minimum), issue.origin === "array" ? "entry" : "character");
    case "invalid_union":
      return msg.valueOrSecret();
    case "invalid_format":
    case "custom": {
      for (const p of patterns(path)) if (formats[p]) return formats[p];
      return formats[issue.message] ?? msg.invalid(issue.message);
    }
    case "unrecognized_keys":
      return msg.unknownKey(issue.keys[0] ?? "", knownKeys(shapeAt(path)));
    default:
      return msg.invalid(issue.message);
  }
}

export function issuesToDiagnostics(issues: z.core.$ZodIssue[], src: Source, shapeAt: (p: readonly Key[]) => unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path as Key[];
    if (issue.code === "unrecognized_keys") {
      // One diagnostic per unknown key, each pointing at the key itself.
      for (const key of issue.keys) {
        const loc = locate(src, [...path, key], true);
        out.push(at(src, loc.offset, loc.length, { path: formatPath([...path, key]), ...msg.unknownKey(key, knownKeys(shapeAt(path))) }));
      }
      continue;
    }
    const loc = locate(src, path);
    out.push(at(src, loc.offset, loc.length, { path: formatPath(path), ...advise(issue, src, shapeAt) }));
  }
  return out;
}
