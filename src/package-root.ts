// The package's own folder (package.json, snippets/, vendor/, dist/). The same modules run from
// src/ (tests), and bundled from dist/ and dist/chunks/, so a path relative to this file's URL
// would differ between them: the folder is found by walking up to firstboot's package.json.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "snippets")) && existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return join(dirname(start), "..");
  }
}

export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

export const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string })
  .version;
