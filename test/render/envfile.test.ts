// The stack's .env against docker compose's own parser (compose-go's dotenv, built from source by
// test/helpers/compose-dotenv.ts): a few thousand values, generated deterministically, are
// written with envFile into one file, and compose must read every one back exactly.
import { describe, expect, it } from "vitest";
import { envFile } from "../../src/render/envfile.js";
import { composeReadsEnv, EnvParseError, expectComposeReads } from "../helpers/compose-dotenv.js";

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const SPECIAL = ["'", '"', "\\", "$", "#", " ", "`"];
const UNICODE = ["ä", "ß", "é", "日本", "😀", "\u00a0", "\u0085", "\u2028", "\u202e", "\u200b", "\ufeff", "\u{10ffff}"];

/** Every printable ASCII character alone, doubled, and at the start, middle and end of a value. */
function everyCharEveryPlace(): string[] {
  return PRINTABLE.flatMap((c) => [c, c + c, `${c}ab`, `a${c}b`, `ab${c}`, `${c}a${c}`]);
}

/** All sequences of one to three special characters, bare and between letters. */
function specialRuns(): string[] {
  const runs: string[] = [...SPECIAL];
  for (const a of SPECIAL) for (const b of SPECIAL) runs.push(a + b);
  for (const a of SPECIAL) for (const b of SPECIAL) for (const c of SPECIAL) runs.push(a + b + c);
  return runs.flatMap((r) => [r, `x${r}`, `${r}y`, `x${r}y`]);
}

function unicodeMix(): string[] {
  return UNICODE.flatMap((u) => [u, ...SPECIAL.map((s) => `${u}${s}`), ...SPECIAL.map((s) => `${s}${u}`)]);
}

/** mulberry32: a small seeded generator, so every run tests the same values. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValues(n: number): string[] {
  const next = prng(14);
  // Specials weighted up: they are what quoting gets wrong.
  const alphabet = [...PRINTABLE, ...SPECIAL, ...SPECIAL, ...SPECIAL, ...UNICODE, "\t", "${", "$$", "\\'", '\\"'];
  return Array.from({ length: n }, () => {
    const len = Math.floor(next() * 24);
    return Array.from({ length: len }, () => alphabet[Math.floor(next() * alphabet.length)]!).join("");
  });
}

const KNOWN = [
  "",
  "C:\\dir\\",
  "it's C:\\dir\\",
  "\\",
  "\\\\",
  "'\\",
  "\\'",
  "'",
  '"',
  '"\\',
  "$",
  "$$",
  "${HOME}",
  "${X:-y}",
  "\\$HOME",
  "$'",
  "\\n \\t \\0 \\0123 \\a \\x41 \\u00e9",
  " # not a comment",
  "tab\there",
  "  edges  ",
  "#",
];

describe("the .env reads back through compose's own parser", () => {
  it("a generated battery of values, value for value, in one file", async () => {
    const values = [...KNOWN, ...everyCharEveryPlace(), ...specialRuns(), ...unicodeMix(), ...randomValues(2000)];
    expect(values.length).toBeGreaterThan(4000);
    const entries = values.map((v, i) => [`V${i}`, v] as [string, string]);
    await expectComposeReads(envFile(entries), Object.fromEntries(entries));
  }, 120_000);

  it("the battery's oracle is compose's: a single-quoted trailing backslash is its parse error", async () => {
    // What envFile used to write for C:\dir\ (and what shows the oracle is not a lenient model).
    await expect(composeReadsEnv("A='C:\\dir\\'\n")).rejects.toThrow(EnvParseError);
    await expect(composeReadsEnv("A='C:\\dir\\'\n")).rejects.toThrow(/unterminated quoted value/);
  });

  it("keeps plain values single-quoted and readable", () => {
    expect(envFile([["A", 'p@$$w0rd `x` "q" C:\\dir']])).toBe("A='p@$$w0rd `x` \"q\" C:\\dir'\n");
    expect(envFile([["A", "C:\\dir\\"]])).toBe('A="C:\\\\dir\\\\"\n');
    expect(envFile([])).toBe("");
  });
});
