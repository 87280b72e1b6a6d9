#!/usr/bin/env node
// Builds dist/: the CLI as one esbuild bundle (ESM, Node 20.19) split into lazy chunks, one per
// verb and per shared piece, so a run loads only what its verb needs; the precompiled snippets
// (scripts/precompile-snippets.mjs); and dist/help.txt, the `--help` text src/cli.ts prints
// without loading any command. Type checking is tsc's job (`make lint`); esbuild only strips types.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/") ? { path: join(root, "scripts", "zod-locales.mjs") } : undefined,
    );
  },
};
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  // CommonJS dependencies (handlebars' runtime) call require(): ESM output has none of its own.
  banner: {
    js: 'import { createRequire as __fbRequire } from "node:module";const require = __fbRequire(import.meta.url);',
  },
  legalComments: "linked",
  metafile: true,
  plugins: [zodEnglishOnly],
  logLevel: "warning",
});
// What each chunk holds (test/cli.test.ts reads it): beside dist/, which is what ships.
writeFileSync(join(root, ".bundle-meta.json"), JSON.stringify(result.metafile));
execFileSync(process.execPath, [join(root, "scripts", "precompile-snippets.mjs")], { stdio: "inherit" });
// With no help.txt yet, the CLI prints its help through the parser: that output is the file.
const help = execFileSync(process.execPath, [join(root, "bin", "firstboot.js"), "--help"], { encoding: "utf8" });
writeFileSync(join(dist, "help.txt"), help);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled dist/ (${Object.keys(result.metafile.outputs).length} files, ${Math.round(bytes / 1024)} KiB)`);
