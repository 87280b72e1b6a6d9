// What `npm pack` ships: the CLI, its server programs and the vendored schemas; never tests,
// fixtures, examples or image definitions whose paths point at files the package does not hold.
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
        "dist/snippets.js",
        "vendor/hetzner/hcloud-openapi.json",
      ]),
    );
    for (const n of snippetNames()) expect(files, n).toContain(join("snippets", n));
  });
});
