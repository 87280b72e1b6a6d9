// Locale-free orderings: code point order, and versions with numeric runs.
import { describe, expect, it } from "vitest";
import { byCodePoint, byVersion } from "../src/compare.js";

describe("byCodePoint", () => {
  it("orders by Unicode code point, as the UTF-8 bytes do", () => {
    const names = ["ä.txt", "z.txt", "a.txt", "Z/x", "B.txt", "_u", "1.txt", "i.txt", "I.txt", "ı.txt", "a"];
    const sorted = [...names].sort(byCodePoint);
    expect(sorted).toEqual(["1.txt", "B.txt", "I.txt", "Z/x", "_u", "a", "a.txt", "i.txt", "z.txt", "ä.txt", "ı.txt"]);
    const utf8 = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(sorted).toEqual(utf8);
  });

  it("puts characters beyond U+FFFF after U+FFFF (UTF-16 code units would not)", () => {
    expect(["😀", "\uffff", "\ue000"].sort(byCodePoint)).toEqual(["\ue000", "\uffff", "😀"]);
    expect(byCodePoint("a😀b", "a😀c")).toBeLessThan(0);
    expect(byCodePoint("same", "same")).toBe(0);
  });
});

describe("byVersion", () => {
  it("compares digit runs as numbers and the rest by code point", () => {
    const kernels = ["6.1.0-9-amd64", "6.1.0-10-amd64", "6.12.10-amd64", "6.2.0-1-amd64", "6.12.9-amd64"];
    expect([...kernels].sort(byVersion)).toEqual([
      "6.1.0-9-amd64",
      "6.1.0-10-amd64",
      "6.2.0-1-amd64",
      "6.12.9-amd64",
      "6.12.10-amd64",
    ]);
    expect(byVersion("1.02", "1.2")).not.toBe(0);
    expect(byVersion("a10", "a9")).toBeGreaterThan(0);
    expect(byVersion("B1", "a1")).toBeLessThan(0);
  });
});
