// What `npm pack` ships: the CLI, its server programs and the vendored schemas; never tests,
// fixtures, examples or image definitions whose paths point at files the package does not hold.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/exec.js";
import { snippetNames } from "../src/render/template.js";

const REPO = resolve(import.meta.dirname, "..");

describe("the npm package", () => {
  it("ships the built CLI, every snippet and the vendored schemas, and nothing test-only", async () => {
    const r = await run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, timeoutMs: 120_000 });
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(
      files.filter((f) => /^(test|examples|images|bench|scripts|src)\//.test(f) || /fixture|\.test\.|\.e2e\./.test(f)),
    ).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        "bin/firstboot.js",
        "dist/cli.js",
        "dist/help.txt",
        "dist/snippets.js",
        "vendor/hetzner/hcloud-openapi.json",
      ]),
    );
    for (const n of snippetNames()) expect(files, n).toContain(join("snippets", n));
  });

  it("needs no dependencies: the bundle imports only its own chunks and Node's modules", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.dependencies ?? {}).toEqual({});
    const js = readdirSync(join(REPO, "dist"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
    expect(js.length).toBeGreaterThan(10);
    for (const f of js) {
      const text = readFileSync(join(REPO, "dist", f), "utf8");
      const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\(\s*)"([\w@./:-]+)"/g)].map(
        (m) => m[1]!,
      );
      const builtin = (s: string) => s.startsWith("node:") || builtinModules.includes(s);
      expect(
        specifiers.filter((s) => !s.startsWith("./") && !s.startsWith("../") && !builtin(s)),
        f,
      ).toEqual([]);
    }
  });
});
