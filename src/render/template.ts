// The server's programs and files live in snippets/<config key>/. Those that take no data are
// plain files, shipped byte for byte (and shellchecked and sourced by the tests as they are).
// Those that do are Handlebars templates (*.hbs) compiled strict (a missing variable is an
// error, not "") with HTML escaping off: they produce shell, systemd units and config files.
// Every template also gets `paths` (src/server-contract.ts): one spelling for both sides.
// `npm run build` precompiles them into dist/snippets.js; the full Handlebars compiler is
// loaded only when a template has no up-to-date precompiled form (e.g. tests running from src).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import RuntimeModule from "handlebars/runtime.js";
import { shq } from "../shell.js";
import { internal } from "../catalogue.js";
import { TEMPLATE_PATHS } from "../server-contract.js";
import { PACKAGE_ROOT } from "../package-root.js";

export const SNIPPETS_DIR = join(PACKAGE_ROOT, "snippets");
const PRECOMPILED = join(PACKAGE_ROOT, "dist", "snippets.js");

type Env = typeof import("handlebars");
type Spec = Parameters<Env["template"]>[0];
// The runtime build has the same API minus the compiler; its typings do not say so.
const Runtime = RuntimeModule as unknown as Env;
type Precompiled = Record<string, { sha: string; spec: Spec }>;

/**
 * Drop full-line comments (the snippet keeps them for readers; user-data is capped at 32 KiB),
 * keeping the first `keep` lines (the shebang, maybe a header) and shellcheck directives.
 */
export function compactScript(text: string, keep = 1): string {
  return text
    .split("\n")
    .filter((l, i) => i < keep || !/^\s*#/.test(l) || /^\s*# shellcheck /.test(l))
    .join("\n");
}

/** Every file under snippets/, as "<key>/<file>" (sorted: the same order on every machine). */
export function snippetNames(): string[] {
  const names = readdirSync(SNIPPETS_DIR, { recursive: true, encoding: "utf8" }).map((n) => n.split("\\").join("/"));
  return names.filter((n) => n.includes("/") && !n.endsWith("/")).sort();
}

const sources = new Map(
  snippetNames()
    .filter((n) => n.endsWith(".hbs"))
    .map((n) => [n, readFileSync(join(SNIPPETS_DIR, n), "utf8")]),
);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const precompiled: Precompiled = existsSync(PRECOMPILED)
  ? ((await import(PRECOMPILED)) as { default: Precompiled }).default
  : {};
const fresh = [...sources].every(([name, src]) => precompiled[name]?.sha === sha(src));
// The compiler is a large module: only load it when something must be compiled.
const compiler = fresh ? undefined : (await import("handlebars")).default;
const hbs: Env = (compiler ?? Runtime).create();
hbs.registerHelper("shq", (v: unknown) => shq(v));
hbs.registerHelper("json", (v: unknown) => JSON.stringify(v));
hbs.registerHelper("join", (v: unknown[], sep: unknown) => v.join(typeof sep === "string" ? sep : " "));
hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);

type Template = (data: object) => string;
const cache = new Map<string, Template>();

const plain = new Map<string, string>();

/** snippets/<name>, a program or file that takes no data, exactly as it is on disk. */
export function plainFile(name: string): string {
  if (name.endsWith(".hbs")) throw new Error(internal.notTemplate(name));
  let text = plain.get(name);
  if (text === undefined) plain.set(name, (text = readFileSync(join(SNIPPETS_DIR, name), "utf8")));
  return text;
}

/** Render the template snippets/<name> with the given data, plus the server's paths as `paths`. */
export function snippet(name: string, data: object): string {
  let tpl = cache.get(name);
  if (!tpl) {
    const source = sources.get(name);
    if (source === undefined) throw new Error(internal.noSnippet(name));
    const pre = precompiled[name];
    tpl =
      fresh && pre
        ? (hbs.template(pre.spec) as Template)
        : (hbs.compile(source, { strict: true, noEscape: true }) as Template);
    cache.set(name, tpl);
  }
  return tpl({ paths: TEMPLATE_PATHS, ...data });
}
