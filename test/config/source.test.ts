// Diagnostics stay linear in their number: locating each one reuses an index built once per map
// and per file (no search of the map, no scan of the text per diagnostic), and finds what yaml's
// own lookups find. Work is counted as reads of the arrays a search would walk, never timed.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { YAMLMap } from "yaml";
import { at, locate, nodeAt, parseSource, type Source } from "../../src/config/source.js";
import { yamlProblems } from "../../src/config/yaml-problems.js";

/** The array behind a proxy that counts reads of its elements (a search reads them one by one). */
function counted<T>(arr: T[]): { proxy: T[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(arr, {
    get(target, prop, receiver) {
      if (typeof prop === "string" && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { proxy, reads: () => reads };
}

/** Swaps the top map's items for a counting proxy. */
function countItems(src: Source) {
  const map = src.doc.contents as YAMLMap;
  const c = counted(map.items);
  map.items = c.proxy;
  return c.reads;
}

const N = 2000;
const lines = Array.from({ length: N }, (_, i) => `key_${i}: value_${i}`);
const text = lines.join("\n") + "\n";
const starts = lines.map((_, i) => lines.slice(0, i).reduce((sum, l) => sum + l.length + 1, 0));

afterEach(() => void vi.restoreAllMocks());

describe("locate", () => {
  it("finds each of 2000 keys and values with one pass over the map's items, not one per lookup", () => {
    const src = parseSource("big.yaml", text);
    const reads = countItems(src);
    for (let i = 0; i < N; i++) {
      expect(locate(src, [`key_${i}`], true)).toEqual({ offset: starts[i], length: `key_${i}`.length });
      expect(locate(src, [`key_${i}`])).toEqual({
        offset: starts[i]! + `key_${i}: `.length,
        length: `value_${i}`.length,
      });
    }
    // A search per lookup reads about N * N / 2 items; the index reads each item once.
    expect(reads()).toBeLessThanOrEqual(2 * N);
  });

  it("points at the first of repeated keys and stops at the deepest existing node", () => {
    const src = parseSource("f.yaml", "a:\n  b: 1\ndup: first\ndup: second\n");
    expect(locate(src, ["dup"])).toEqual({ offset: 15, length: 5 });
    expect(locate(src, ["a", "missing"])).toEqual({ offset: 5, length: 1 });
    expect(locate(src, ["a", "b"], true)).toEqual({ offset: 5, length: 1 });
  });
});

describe("at", () => {
  it("gives line, column and line text of 2000 diagnostics by binary search, without scanning the file", () => {
    const src = parseSource("big.yaml", text);
    const c = counted(src.lines.lineStarts);
    src.lines.lineStarts = c.proxy;
    const scans = ["split", "indexOf", "lastIndexOf", "match", "matchAll", "search", "replace", "replaceAll"].map((m) =>
      vi.spyOn(String.prototype, m as "split"),
    );
    const found = lines.map((_, i) => at(src, starts[i]! + 4, 2, { path: "", message: "m" }));
    const wholeText = scans.flatMap((s) => s.mock.contexts).filter((ctx) => String(ctx).length === text.length);
    expect(wholeText).toHaveLength(0);
    found.forEach((d, i) => expect(d).toMatchObject({ line: i + 1, col: 5, length: 2, source: lines[i] }));
    // A binary search reads about log2(N) + 3 line starts per diagnostic; a scan reads N / 2.
    expect(c.reads()).toBeLessThanOrEqual(N * (Math.ceil(Math.log2(N)) + 4));
  });
});

describe("nodeAt", () => {
  const yaml = [
    'a: { b: [x, { c: 1 }], "1": one, 1: int, n: ~, e: }',
    "list: [p, q]",
    "dup: first",
    "dup: second",
    "al: &anchor { z: 1 }",
    "ref: *anchor",
    "",
  ].join("\n");
  const paths: (string | number)[][] = [
    [],
    ["a"],
    ["a", "b"],
    ["a", "b", 0],
    ["a", "b", "0"],
    ["a", "b", 1, "c"],
    ["a", "b", 5],
    ["a", "b", "x"],
    ["a", "b", 0, "deeper"],
    ["a", "1"],
    ["a", 1],
    ["a", "n"],
    ["a", "e"],
    ["list", "1"],
    ["list", -1],
    ["list", ""],
    ["list", 1.5],
    ["dup"],
    ["ref"],
    ["ref", "z"],
    ["missing"],
    ["missing", "deeper"],
  ];

  it("returns the node yaml's getIn returns, for every kind of path", () => {
    const src = parseSource("n.yaml", yaml);
    for (const p of paths) expect(nodeAt(src, p), JSON.stringify(p)).toBe(src.doc.getIn(p, true));
    const scalar = parseSource("s.yaml", "just text\n");
    for (const p of [[], ["x"], [0]]) expect(nodeAt(scalar, p)).toBe(scalar.doc.getIn(p, true));
    const empty = parseSource("e.yaml", "");
    for (const p of [[], ["x"]]) expect(nodeAt(empty, p)).toBe(empty.doc.getIn(p, true));
  });

  it("looks 2000 keys up with one pass over the map's items", () => {
    const src = parseSource("big.yaml", text);
    const reads = countItems(src);
    for (let i = 0; i < N; i++) expect(String(nodeAt(src, [`key_${i}`]))).toBe(`value_${i}`);
    expect(reads()).toBeLessThanOrEqual(2 * N);
  });
});

describe("duplicate keys", () => {
  it("checks a map of 4000 keys, half repeated, reading each item a bounded number of times", () => {
    const dups = Array.from({ length: N }, (_, i) => `k${i}: 1\nk${i}: 2`).join("\n") + "\n";
    const src = parseSource("dup.yaml", dups);
    const reads = countItems(src);
    const found = yamlProblems(src);
    // The first 20 repeats are shown, the rest summed up in one more line.
    expect(found).toHaveLength(21);
    expect(found[0]).toMatchObject({ path: "k0", line: 2, col: 1, source: "k0: 2" });
    expect(found[20]!.message).toMatch(/1980/);
    // Comparing each key with the keys before it reads about (2N)^2 / 2 items.
    expect(reads()).toBeLessThanOrEqual(4 * 2 * N);
  });
});
