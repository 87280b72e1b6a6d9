// The same config gives the same bytes whatever the shell's locale and time zone: the real CLI
// renders (and validates) under C, German, Turkish and Swedish locales and odd time zones. Node's
// ICU takes its collation from LANG/LC_ALL, and these names sort differently under them with
// String.localeCompare (Turkish I/i, Swedish ä after z, case folding): the test first proves that
// with the same Node, so it would catch a localeCompare that comes back. Output is sorted by code point.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { byCodePoint } from "../../src/compare.js";
import { run } from "../../src/exec.js";
import { tmp } from "../helpers/render.js";

const CLI = join(resolve(import.meta.dirname, "../.."), "bin/firstboot.js");
const NAMES = ["B.txt", "a.txt", "Z/x", "z.txt", "i.txt", "I.txt", "_u.txt", "1.txt"];
const LOCALES: Record<string, string>[] = [
  { LC_ALL: "C", LANG: "C", TZ: "UTC" },
  { LC_ALL: "de_DE.UTF-8", LANG: "de_DE.UTF-8", TZ: "Europe/Berlin" },
  { LC_ALL: "tr_TR.UTF-8", LANG: "tr_TR.UTF-8", TZ: "Europe/Istanbul" },
  { LC_ALL: "sv_SE.UTF-8", LANG: "sv_SE.UTF-8", TZ: "Pacific/Chatham" },
  { LC_ALL: "", LANG: "en_US.UTF-8", TZ: "America/St_Johns" },
];
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq ops@laptop";

function envFor(locale: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...locale, LANGUAGE: undefined, LC_COLLATE: undefined };
  for (const k of Object.keys(process.env)) if (k.startsWith("FIRSTBOOT_")) env[k] = undefined;
  return env;
}

async function cli(dir: string, args: string[], locale: Record<string, string>) {
  return run([process.execPath, CLI, ...args], {
    cwd: dir,
    env: envFor(locale),
    allowFailure: true,
    timeoutMs: 60_000,
  });
}

/** How this Node sorts `items` with localeCompare under a locale (what the CLI must not do). */
async function localeOrder(items: string[], locale: Record<string, string>): Promise<string[]> {
  const code = `console.log(JSON.stringify(${JSON.stringify(items)}.sort((a, b) => a.localeCompare(b))))`;
  const r = await run([process.execPath, "-e", code], { env: envFor(locale) });
  return JSON.parse(r.stdout) as string[];
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

function config(compose: string, extra = ""): string {
  const files = NAMES.map((n) => `    ${n}: ./files/${n}`).join("\n");
  return `version: 1\nname: loc\nserver:\n  type: cx23\n  location: nbg1\n  image: ubuntu-24.04\n  ssh_keys: ["${SSH_KEY}"]
hardening: { firewall: false }\nstack:\n  compose: ${compose}\n  files:\n${files}\n  env:\n    WHEN: "03:00"${extra}
  health: { services: [app] }\n`;
}

describe("output does not depend on the locale or time zone", () => {
  let dir: string;
  beforeAll(() => {
    dir = tmp("firstboot-locale-");
    write(dir, Object.fromEntries(NAMES.map((n) => [`files/${n}`, `${n}\n`])));
    write(dir, { "compose.yaml": "services:\n  app:\n    image: busybox:1.37.0\n    command: [echo, '${WHEN}']\n" });
    write(dir, { "firstboot.yaml": config("./compose.yaml") });
    // Problems in two files whose names sort differently by locale: Zeta.yaml and ä-compose.yaml.
    write(dir, { "ä-compose.yaml": "services:\n  app:\n    image: busybox:1.37.0\n    command: [echo, '${NOPE}']\n" });
    write(dir, { "Zeta.yaml": config("./ä-compose.yaml", '\n    BROKEN: "two\\nlines"') });
  });

  it("uses names whose localeCompare order changes with the locale and is not code point order", async () => {
    const orders = await Promise.all(LOCALES.map((l) => localeOrder(NAMES, l)));
    const codePoint = [...NAMES].sort(byCodePoint);
    for (const o of orders) expect(o).not.toEqual(codePoint);
    expect(new Set(orders.map((o) => JSON.stringify(o))).size).toBeGreaterThanOrEqual(2);
    const files = await Promise.all(LOCALES.map((l) => localeOrder(["Zeta.yaml", "ä-compose.yaml"], l)));
    expect(new Set(files.map((o) => o[0])).size).toBe(2);
  });

  it("renders the same bytes everywhere, stack files in code point order", async () => {
    const docs: string[] = [];
    for (const [i, locale] of LOCALES.entries()) {
      const r = await cli(dir, ["render", "firstboot.yaml", "-o", `out-${i}.yaml`], locale);
      expect(r.exitCode, r.stderr).toBe(0);
      docs.push(readFileSync(join(dir, `out-${i}.yaml`), "utf8"));
    }
    for (const d of docs.slice(1)) expect(d).toBe(docs[0]);
    const paths = (parse(docs[0]!) as { write_files: { path: string }[] }).write_files.map((f) => f.path);
    const stackFiles = paths.filter((p) => NAMES.some((n) => p === `/opt/loc/${n}`));
    expect(stackFiles).toEqual([...NAMES].sort(byCodePoint).map((n) => `/opt/loc/${n}`));
  }, 120_000);

  it("reports diagnostics in the same order everywhere, files by code point", async () => {
    const outs: string[] = [];
    for (const locale of LOCALES) {
      const r = await cli(dir, ["validate", "Zeta.yaml"], locale);
      expect(r.exitCode, r.stderr).toBe(2);
      outs.push(r.stderr);
    }
    for (const o of outs.slice(1)) expect(o).toBe(outs[0]);
    const files = [...outs[0]!.matchAll(/--> ([^:]+):/g)].map((m) => m[1]);
    expect(files).toEqual(["Zeta.yaml", "ä-compose.yaml"]);
  }, 120_000);
});
