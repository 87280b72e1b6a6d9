// Turns zod issues into located diagnostics with catalogue wording.
import { isMap, isScalar, isSeq } from "yaml";
import type { z } from "zod";
import { formats, schema as msg, type Advice } from "../catalogue.js";
import { formatPath, type Diagnostic } from "./diagnostics.js";
import { at, locate, nodeAt, type Source } from "./source.js";
import { nearest } from "./nearest.js";
import { LINE_CODE } from "./line-safe.js";

type Key = string | number;
type Issue = z.core.$ZodIssue;

/** "stack.env.X" -> "stack.env.*" style patterns used by the catalogue's `formats`. */
function patterns(path: readonly Key[]): string[] {
  const exact = path.map((p) => (typeof p === "number" ? "[]" : p));
  const dotted = (segs: string[]) => segs.join(".").replace(/\.\[\]/g, "[]");
  const wild = exact.map((p, i) => (i > 0 && (exact[i - 1] === "env" || exact[i - 1] === "files") ? "*" : p));
  return [dotted(exact), dotted(wild), `*.${exact[exact.length - 1]}`];
}

function typeName(src: Source, path: readonly Key[]): string {
  const node = nodeAt(src, path);
  if (node === undefined) return "nothing";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "an empty value";
    return typeof v === "string"
      ? "a string"
      : typeof v === "boolean"
        ? `the boolean ${v}`
        : `the ${typeof v} ${String(v)}`;
  }
  return "something else";
}

const TYPE_WORDS: Record<string, string> = { object: "map", array: "list", record: "map" };
const word = (t: string) => TYPE_WORDS[t] ?? t;

/** What a union accepts, from each branch's complaint about the value itself. */
function unionAccepts(branches: Issue[][]): string {
  const names = branches.map((b) => {
    const root = b.find((i) => i.path.length === 0);
    if (root?.code === "invalid_type") return root.expected === "object" ? "a map" : `a ${word(root.expected)}`;
    if (root?.code === "invalid_value")
      return root.values.map((v) => (typeof v === "string" ? `\`${v}\`` : String(v))).join(" or ");
    return "a valid value";
  });
  return [...new Set(names)].join(" or ");
}

const LINE_CODES = new Set(Object.values(LINE_CODE));

function formatAdvice(issue: Issue, path: readonly Key[]): Advice {
  // A line break is the problem whatever format the key has otherwise (URL, SSH key, ...).
  const line = LINE_CODES.has(issue.message) ? formats[issue.message] : undefined;
  if (line) return line;
  for (const p of patterns(path)) if (formats[p]) return formats[p];
  return formats[issue.message] ?? msg.invalid(issue.message);
}

function advise(issue: Issue, path: readonly Key[], src: Source): Advice {
  switch (issue.code) {
    case "invalid_type": {
      const found = typeName(src, path);
      if (found === "nothing") return msg.missing(String(path[path.length - 1] ?? ""));
      return msg.wrongType(word(issue.expected), found);
    }
    case "invalid_value":
      if (typeName(src, path) === "nothing")
        return msg.missing(
          String(path[path.length - 1] ?? ""),
          issue.values.length === 1 ? String(issue.values[0]) : undefined,
        );
      return msg.notOneOf(issue.values);
    case "too_small":
      if (issue.origin === "array") return msg.tooFew(Number(issue.minimum), "entry");
      if (issue.origin === "number") return msg.atLeast(Number(issue.minimum));
      return msg.tooFew(Number(issue.minimum), "character");
    case "too_big":
      return issue.origin === "number" ? msg.atMost(Number(issue.maximum)) : msg.invalid(issue.message);
    case "invalid_format":
    case "custom":
      return formatAdvice(issue, path);
    default:
      return formatAdvice(issue, path);
  }
}

/**
 * A union's own message is useless ("invalid input"): when one branch got past the value's
 * type (a map with a bad key inside), report that branch's problems; else say what fits.
 */
function expand(issue: Issue): Issue[] {
  if (issue.code === "invalid_union" && "errors" in issue && Array.isArray(issue.errors) && issue.errors.length) {
    const branches = issue.errors as Issue[][];
    // Every branch rejects the same unknown key (e.g. `target: { ftp: … }`): that is the problem.
    const unknown = branches.map((b) => b.find((i) => i.code === "unrecognized_keys" && i.path.length === 0));
    if (unknown.every(Boolean)) return [{ ...unknown[0]!, path: issue.path } as Issue];
    const inner = branches.filter(
      (b) => b.length && b.every((i) => i.path.length > 0 || i.code === "unrecognized_keys" || i.code === "custom"),
    );
    if (inner.length) {
      const best = inner.sort((a, b) => a.length - b.length)[0]!;
      return best.flatMap((i) => expand({ ...i, path: [...issue.path, ...i.path] } as Issue));
    }
    return [{ ...issue, message: `__union:${unionAccepts(branches)}` } as Issue];
  }
  if (issue.code === "invalid_key")
    return [{ ...issue, code: "custom", path: [...issue.path, "*key*"] } as unknown as Issue];
  return [issue];
}

export function issuesToDiagnostics(
  issues: Issue[],
  src: Source,
  shapeAt: (p: readonly Key[]) => unknown,
): Diagnostic[] {
  return issues.flatMap(expand).flatMap((issue) => {
    const path = issue.path as Key[];
    if (issue.code === "unrecognized_keys") return unknownKeys(issue.keys, path, src, shapeAt);
    if (path[path.length - 1] === "*key*") {
      // A record key that fails its pattern (e.g. an env name): point at the key itself.
      const keyPath = path.slice(0, -1);
      const loc = locate(src, keyPath, true);
      return [at(src, loc.offset, loc.length, { path: formatPath(keyPath), ...formatAdvice(issue, keyPath) })];
    }
    const loc = locate(src, path);
    const union =
      issue.code === "invalid_union" && issue.message.startsWith("__union:") ? issue.message.slice(8) : undefined;
    const advice =
      union === "a string or a map"
        ? msg.valueOrSecret()
        : union
          ? msg.wrongUnion(union, typeName(src, path))
          : advise(issue, path, src);
    return [at(src, loc.offset, loc.length, { path: formatPath(path), ...advice })];
  });
}

/** One diagnostic per unknown key, each pointing at the key itself. */
function unknownKeys(
  keys: readonly string[],
  path: Key[],
  src: Source,
  shapeAt: (p: readonly Key[]) => unknown,
): Diagnostic[] {
  const known = Object.keys(shapeAt(path) ?? {});
  return keys.map((key) => {
    const loc = locate(src, [...path, key], true);
    return at(src, loc.offset, loc.length, { path: formatPath([...path, key]), ...unknownKeyAdvice(key, known) });
  });
}

function unknownKeyAdvice(key: string, known: string[]) {
  return msg.unknownKey(key, known, nearest(key, known));
}
