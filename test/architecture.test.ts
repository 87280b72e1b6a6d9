// The layout's promises, checked on the import graph of src/: validation never reaches into the
// renderer, the API client knows no workflow, only commands and the CLI print or exit, and no
// module imports itself through others (type-only imports included: they couple files too).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "..");
const SRC = join(REPO, "src");
const files = readdirSync(SRC, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => `src/${f}`);

/** Each file's imports of other src files, as repo-relative paths. */
const graph = new Map(
  files.map((f) => {
    const text = readFileSync(join(REPO, f), "utf8");
    const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g)].map((m) => m[1]!);
    const targets = specs
      .map((s) => relative(REPO, resolve(REPO, dirname(f), s)) + ".ts")
      .filter((t) => files.includes(t));
    return [f, [...new Set(targets)]];
  }),
);

const under = (dir: string) => (f: string) => f.startsWith(`src/${dir}/`) || f === `src/${dir}.ts`;
function importsFrom(from: (f: string) => boolean, to: (f: string) => boolean): string[] {
  return [...graph].flatMap(([f, ts]) => (from(f) ? ts.filter(to).map((t) => `${f} -> ${t}`) : []));
}

/** Strongly connected components of more than one file (Tarjan), or a file importing itself. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      scc.push(w);
      if (w === v) break;
    }
    if (scc.length > 1 || graph.get(v)?.includes(v)) out.push(scc.sort());
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

describe("the layout", () => {
  it("reads the whole of src/", () => {
    expect(files.length).toBeGreaterThan(80);
    expect(graph.get("src/commands/main.ts")?.length).toBeGreaterThan(3);
  });

  it("src/config imports nothing from src/render (validation lives in config)", () => {
    expect(importsFrom(under("config"), under("render"))).toEqual([]);
  });

  it("src/hcloud, the API client, imports no workflow, fake, VM, command or renderer", () => {
    const outside = (f: string) => !under("hcloud")(f) && f !== "src/clock.ts" && !under("catalogue")(f);
    expect(importsFrom(under("hcloud"), outside)).toEqual([]);
  });

  it("src/render, the pure renderer, imports no workflow, fake, VM, SSH or command", () => {
    const impure = (f: string) => ["deploy", "fake-cloud", "vm", "ssh", "commands", "hcloud"].some((d) => under(d)(f));
    expect(importsFrom(under("render"), impure)).toEqual([]);
  });

  it("nothing but src/commands and src/cli.ts imports a command", () => {
    const outside = (f: string) => !under("commands")(f) && f !== "src/cli.ts";
    expect(importsFrom(outside, under("commands"))).toEqual([]);
  });

  it("has no import cycles", () => {
    expect(cycles()).toEqual([]);
  });
});
