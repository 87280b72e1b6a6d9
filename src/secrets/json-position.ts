// Reading the secrets JSON a user edited: where the first mistake is and what kind it is, never
// what it says. JSON.parse's messages quote the text around a mistake (Node 22 and later:
// `"{"db": "hunter…" is not valid JSON`), and in this file that text is a secret.
import { SECRET_NAME } from "../config/schema-value.js";

export type JsonMistake =
  | "end"
  | "unexpected"
  | "single-quote"
  | "key"
  | "colon"
  | "comma"
  | "trailing-comma"
  | "unclosed-string"
  | "control-character"
  | "escape"
  | "number"
  | "extra"
  | "too-deep"
  | "not-object"
  | "duplicate"
  | "not-string"
  | "bad-name";

export type SecretsJson =
  { ok: true; secrets: Record<string, string> } | { ok: false; mistake: JsonMistake; line: number; col: number };

class Mistake {
  constructor(
    readonly kind: JsonMistake,
    readonly offset: number,
  ) {}
}

/** Nothing a secrets file holds nests deeper; the bound keeps the recursion shallow. */
const MAX_DEPTH = 64;

class Reader {
  i = 0;
  constructor(readonly t: string) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  space(): void {
    while (this.peek() === " " || this.peek() === "\t" || this.peek() === "\n" || this.peek() === "\r") this.i++;
  }
  fail(kind: JsonMistake, at = this.i): never {
    throw new Mistake(this.peek() === undefined && at === this.i ? "end" : kind, at);
  }
}

const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

function string(r: Reader): string {
  const open = r.i++;
  let out = "";
  for (;;) {
    const c = r.peek();
    if (c === undefined || c === "\n") r.fail("unclosed-string", open);
    r.i++;
    if (c === '"') return out;
    if (c < " ") r.fail("control-character", r.i - 1);
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = r.peek();
    if (e === "u" && /^[0-9a-fA-F]{4}$/.test(r.t.slice(r.i + 1, r.i + 5))) {
      out += String.fromCharCode(Number.parseInt(r.t.slice(r.i + 1, r.i + 5), 16));
      r.i += 5;
    } else if (e !== undefined && ESCAPES.has(e)) {
      out += JSON.parse(`"\\${e}"`) as string;
      r.i++;
    } else r.fail("escape", r.i - 1);
  }
}

function number(r: Reader): number {
  const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  m.lastIndex = r.i;
  const found = m.exec(r.t);
  const next = found ? r.t[r.i + found[0].length] : undefined;
  if (!found || (next !== undefined && /[\w.+-]/.test(next))) r.fail("number");
  r.i += found[0].length;
  return Number(found[0]);
}

function value(r: Reader, depth: number): unknown {
  r.space();
  if (depth > MAX_DEPTH) r.fail("too-deep");
  const c = r.peek();
  if (c === "{") return object(r, depth + 1, () => {});
  if (c === "[") return array(r, depth + 1);
  if (c === '"') return string(r);
  if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number(r);
  for (const [word, v] of [
    ["true", true],
    ["false", false],
    ["null", null],
  ] as const) {
    if (r.t.startsWith(word, r.i)) return ((r.i += word.length), v);
  }
  return r.fail(c === "'" ? "single-quote" : "unexpected");
}

/** After an entry: a comma and another entry, or the closing bracket; false when closed. */
function more(r: Reader, close: string, entryEnd: number): boolean {
  r.space();
  if (r.peek() === close) return (r.i++, false);
  if (r.peek() === undefined) r.fail("end");
  if (r.peek() !== ",")
    r.fail(r.peek() === '"' || r.peek() === "{" || r.peek() === "[" ? "comma" : "unexpected", entryEnd);
  const comma = r.i++;
  r.space();
  if (r.peek() === close) r.fail("trailing-comma", comma);
  return true;
}

function array(r: Reader, depth: number): unknown[] {
  r.i++;
  const out: unknown[] = [];
  r.space();
  if (r.peek() === "]") return (r.i++, out);
  do out.push(value(r, depth));
  while (more(r, "]", r.i));
  return out;
}

type OnEntry = (key: string, keyAt: number, v: unknown, valueAt: number) => void;

function object(r: Reader, depth: number, onEntry: OnEntry): Record<string, unknown> {
  r.i++;
  const out: Record<string, unknown> = {};
  r.space();
  if (r.peek() === "}") return (r.i++, out);
  do {
    r.space();
    if (r.peek() !== '"') r.fail(r.peek() === "'" ? "single-quote" : "key");
    const keyAt = r.i;
    const k = string(r);
    if (Object.hasOwn(out, k)) r.fail("duplicate", keyAt);
    r.space();
    if (r.peek() !== ":") r.fail("colon");
    r.i++;
    r.space();
    const valueAt = r.i;
    const v = value(r, depth);
    onEntry(k, keyAt, v, valueAt);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  } while (more(r, "}", r.i));
  return out;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: (before[before.length - 1] ?? "").length + 1 };
}

/** The edited text as a map of secret names to string values, or the first mistake's position. */
export function parseSecretsJson(text: string): SecretsJson {
  const r = new Reader(text);
  try {
    r.space();
    if (r.peek() !== "{") r.fail(r.peek() === undefined ? "end" : "not-object");
    const secrets = object(r, 1, (k, keyAt, v, valueAt) => {
      if (!SECRET_NAME.test(k)) r.fail("bad-name", keyAt);
      if (typeof v !== "string") r.fail("not-string", valueAt);
    }) as Record<string, string>;
    r.space();
    if (r.peek() !== undefined) r.fail("extra");
    return { ok: true, secrets };
  } catch (err) {
    if (!(err instanceof Mistake)) throw err;
    return { ok: false, mistake: err.kind, ...lineCol(text, err.offset) };
  }
}
