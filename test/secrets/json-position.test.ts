// The secrets-edit parser against V8's JSON.parse: it accepts exactly the texts JSON.parse
// accepts (that are a map of secret names to strings), over every one-character slip of a
// real file, and reports each refusal by line, column and kind only.
import { describe, expect, it } from "vitest";
import { parseSecretsJson } from "../../src/secrets/json-position.js";

const BASE = '{\n  "api_token": "t0k\\u00e9n \\"q\\" \\\\ /",\n  "db_password": "pw-Жы€",\n  "empty": ""\n}\n';
const SLIPS = [",", '"', "'", "}", "{", ":", " ", "x", "\\", "\n", "\t", "0", "[", "]"];

/** What JSON.parse says, reduced to the same question: a map of valid names to strings? */
function reference(text: string): Record<string, string> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const entries = Object.entries(v);
  const dup = new Set(entries.map(([k]) => k)).size !== (text.match(/"[^"\\]*(?:\\.[^"\\]*)*"\s*:/g) ?? []).length;
  if (dup || !entries.every(([k, s]) => /^[a-z][a-z0-9_]*$/.test(k) && typeof s === "string")) return undefined;
  return v as Record<string, string>;
}

function variants(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length) out.push(text.slice(0, i) + text.slice(i + 1));
    for (const c of SLIPS) out.push(text.slice(0, i) + c + text.slice(i));
  }
  return out;
}

describe("parseSecretsJson", () => {
  it("agrees with JSON.parse on every one-character slip of a real file", () => {
    const all = variants(BASE);
    expect(all.length).toBeGreaterThan(1000);
    let refused = 0;
    for (const text of all) {
      const ours = parseSecretsJson(text);
      const ref = reference(text);
      expect(ours.ok, JSON.stringify(text)).toBe(ref !== undefined);
      if (ours.ok) expect(ours.secrets).toEqual(ref);
      else {
        refused++;
        const lines = text.split("\n");
        expect(ours.line).toBeGreaterThanOrEqual(1);
        expect(ours.line).toBeLessThanOrEqual(lines.length);
        expect(ours.col).toBeLessThanOrEqual((lines[ours.line - 1]?.length ?? 0) + 1);
      }
    }
    expect(refused).toBeGreaterThan(500);
  });

  it.each([
    ['{\n  "a": "x",\n}', "trailing-comma", 2, 11],
    ['{\n  "a": "x"\n  "b": "y"\n}', "comma", 2, 11],
    ["{\n  'a': \"x\"\n}", "single-quote", 2, 3],
    ['{\n  "a": "x\n}', "unclosed-string", 2, 8],
    ['{\n  "a" "x"\n}', "colon", 2, 7],
    ['{\n  "a": 1\n}', "not-string", 2, 8],
    ['{\n  "Bad-Name": "x"\n}', "bad-name", 2, 3],
    ['{\n  "a": "x",\n  "a": "y"\n}', "duplicate", 3, 3],
    ['{\n  "a": "x\\q"\n}', "escape", 2, 10],
    ['{\n  "a": "x"', "end", 2, 11],
    ["", "end", 1, 1],
    ['["a"]', "not-object", 1, 1],
    ['{"a": "x"} {}', "extra", 1, 12],
  ] as const)("%j: %s at %i:%i", (text, mistake, line, col) => {
    expect(parseSecretsJson(text)).toEqual({ ok: false, mistake, line, col });
  });

  it("a refusal never carries the text", () => {
    const r = parseSecretsJson('{\n  "a": "hunter2",\n}');
    expect(JSON.stringify(r)).not.toContain("hunter2");
  });
});
