// `render` and `validate` read the secrets file without age-encryption: no post-quantum stack, no
// second curve library, no HTTP client (age-encryption decodes text through `new Response()`).
// Checked twice: on the import graph of src/ (survives any bundling of dist/), and on the built
// CLI rendering an example whose secrets it must decrypt.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { BIN, cliEnv, requireBuild } from "../helpers/cli.js";
import { DEMO_IDENTITY, ROOT } from "../helpers/render.js";

const FORBIDDEN = /^(age-encryption|@noble\/|@scure\/|undici|(node:)?https?$|(node:)?http2$)/;

interface Imports {
  static: string[];
  dynamic: string[];
}

/** A file's module specifiers: static ones (type-only left out, they vanish) and import() calls. */
function imports(file: string): Imports {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const out: Imports = { static: [], dynamic: [] };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly)
      out.static.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly)
      out.static.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      out.dynamic.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

/**
 * Every forbidden package a static import chain reaches from the roots, with the chain. Relative
 * import() calls are followed too (a verb loads its modules lazily, and they run), except in the
 * verb table (src/cli.ts loads one verb); an import() of a package is not: it loads only when the
 * function holding it runs (encrypting, keygen).
 */
function forbiddenReach(roots: string[], forbidden = FORBIDDEN, verbTable = join(ROOT, "src", "cli.ts")): string[] {
  const seen = new Map<string, string[]>(roots.map((r) => [r, [relative(ROOT, r)]]));
  const queue = [...roots];
  const found: string[] = [];
  for (let file = queue.shift(); file; file = queue.shift()) {
    const chain = seen.get(file)!;
    const { static: st, dynamic } = imports(file);
    for (const spec of st.filter((s) => forbidden.test(s))) found.push([...chain, spec].join(" -> "));
    const lazy = file === verbTable ? [] : dynamic;
    for (const spec of [...st, ...lazy].filter((s) => s.startsWith("."))) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (seen.has(target)) continue;
      seen.set(target, [...chain, relative(ROOT, target)]);
      queue.push(target);
    }
  }
  return found.concat(`reached ${seen.size} files`);
}

const tmp = mkdtempSync(join(tmpdir(), "render-path-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the import graph of the read path", () => {
  it("render, validate and the secrets store reach no age-encryption, @noble, @scure or HTTP module", () => {
    const roots = ["src/cli.ts", "src/commands/render.ts", "src/commands/validate.ts", "src/secrets/store.ts"];
    const found = forbiddenReach(roots.map((r) => join(ROOT, r)));
    expect(found.slice(0, -1)).toEqual([]);
    // The walk really covers the path: the whole compiler is behind render's lazy imports.
    expect(Number(/\d+/.exec(found.at(-1)!)![0])).toBeGreaterThan(60);
  });

  it("finds a static import two files away, and not an import() of a package", () => {
    writeFileSync(join(tmp, "a.ts"), 'import { b } from "./b.js";\nexport const a = () => import("./c.js");\n');
    writeFileSync(
      join(tmp, "b.ts"),
      'import type { X } from "@noble/curves";\nimport { armor } from "age-encryption";\n',
    );
    writeFileSync(join(tmp, "c.ts"), 'export { x } from "node:http";\nexport const d = () => import("@scure/base");\n');
    const found = forbiddenReach([join(tmp, "a.ts")]).map((l) => l.replace(/\S*render-path-\w+\//g, ""));
    expect(found).toEqual(["a.ts -> b.ts -> age-encryption", "a.ts -> c.ts -> node:http", "reached 3 files"]);
  });
});

// Runs in the CLI's process: records every module URL resolved and, at exit, Node's own list of
// the built-in modules it loaded (undici and http show there however dist/ is bundled).
const HOOK = `import { appendFileSync } from "node:fs";
let out;
export function initialize(data) { out = data.out; }
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  appendFileSync(out, r.url + "\\n");
  return r;
}`;
const PRELOAD = `import { register } from "node:module";
import { appendFileSync, writeFileSync } from "node:fs";
const out = process.env.PROBE_OUT;
writeFileSync(out, "");
register(new URL("./hook.mjs", import.meta.url), { data: { out } });
process.on("exit", () => appendFileSync(out, process.moduleLoadList.join("\\n")));`;

interface Probe {
  code: number;
  stdout: string;
  stderr: string;
  loaded: string;
}

async function probe(args: string[], identity: string): Promise<Probe> {
  writeFileSync(join(tmp, "hook.mjs"), HOOK);
  writeFileSync(join(tmp, "preload.mjs"), PRELOAD);
  const out = join(tmp, "loaded.txt");
  const env = { ...cliEnv(tmp), FIRSTBOOT_IDENTITY: identity, PROBE_OUT: out };
  const r = await run([process.execPath, "--import", join(tmp, "preload.mjs"), ...args], {
    cwd: ROOT,
    env,
    allowFailure: true,
    timeoutMs: 60_000,
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, loaded: readFileSync(out, "utf8") };
}

const signs = (loaded: string) =>
  loaded.split("\n").filter((l) => /age-encryption|@noble|@scure|undici|NativeModule (https?|_http_\w+)$/.test(l));

describe("the built CLI", () => {
  it("renders the selfmx example, decrypting its secrets, without loading any of them", async () => {
    requireBuild();
    const r = await probe([BIN, "render", "examples/selfmx/firstboot.yaml"], DEMO_IDENTITY);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#cloud-config/);
    expect(signs(r.loaded)).toEqual([]);
  });

  it("needs the secrets to render it (another identity fails), and the probe sees age-encryption's load", async () => {
    const other = join(tmp, "other.txt");
    writeFileSync(other, "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n");
    const r = await probe([BIN, "render", "examples/selfmx/firstboot.yaml"], other);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no identity matched/);
    const lib = await probe(
      [
        "--input-type=module",
        "-e",
        'const { Decrypter } = await import("age-encryption"); const d = new Decrypter();' +
          'd.addIdentity((await import("node:fs")).readFileSync(process.env.FIRSTBOOT_IDENTITY, "utf8").match(/AGE-SECRET-KEY-1\\S+/)[0]);' +
          'await d.decrypt((await import("node:fs")).readFileSync("examples/selfmx/secrets.age"), "text");',
      ],
      DEMO_IDENTITY,
    );
    expect(lib.code).toBe(0);
    expect(signs(lib.loaded).join("\n")).toMatch(/age-encryption[\s\S]*@noble[\s\S]*undici/);
  });
});
