// Snippets are Handlebars templates compiled strict (a missing variable is an error, not "")
// with HTML escaping off: they produce shell, systemd units and config files, never HTML.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

export const SNIPPETS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "snippets");

const hbs = Handlebars.create();
/** Single-quote a value for POSIX sh: the only safe way to pass arbitrary bytes to the shell. */
export function shq(value: unknown): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}
hbs.registerHelper("shq", (v: unknown) => shq(v));
hbs.registerHelper("json", (v: unknown) => JSON.stringify(v));
hbs.registerHelper("join", (v: unknown[], sep: unknown) => v.join(typeof sep === "string" ? sep : " "));
hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Render snippets/<name> with the given data. Snippets are read once per process. */
export function snippet(name: string, data: object): string {
  let tpl = cache.get(name);
  if (!tpl) {
    const source = readFileSync(join(SNIPPETS_DIR, name), "utf8");
    tpl = hbs.compile(source, { strict: true, noEscape: true });
    cache.set(name, tpl);
  }
  return tpl(data);
}
