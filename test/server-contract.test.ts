// src/server-contract.ts is the one spelling of firstboot's server paths and units. TypeScript
// and templates take them from it; plain snippets cannot (they take no data), so they are held
// to it here: a path renamed on one side only fails this test instead of a server.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { snippetNames, SNIPPETS_DIR } from "../src/render/template.js";
import * as contract from "../src/server-contract.js";

const REPO = resolve(import.meta.dirname, "..");
const strings = (Object.values(contract) as unknown[]).filter((v): v is string => typeof v === "string");
const UNITS = strings.filter((v) => /^firstboot-[\w-]+\.(service|timer)$/.test(v));
const PROGRAMS = strings.filter((v) => /^firstboot-[\w-]+$/.test(v));
const PATHS = [...strings.filter((v) => v.startsWith("/")), ...UNITS.map(contract.unitPath)];
/** Names firstboot gives files outside its own directories: not shared with the workstation. */
const FOREIGN = [
  "/etc/systemd/journald.conf.d/firstboot.conf",
  "/etc/systemd/system/fail2ban.service.d/firstboot.conf",
];
const NAMES = new Set([...UNITS, ...PROGRAMS, ...PATHS.map((p) => basename(p))]);

/** Paths and names in `text` that claim to be firstboot's but are not spelled as the contract says. */
function strays(text: string): string[] {
  // Not after a word, `)` or `}`: "$(dirname "$0")/firstboot-backup" is a name, not a path.
  const paths = [...text.matchAll(/(?<![\w)}$.-])\/[\w.@+-]+(?:\/[\w.@+-]+)*/g)].map((m) => m[0]);
  const names = [...text.matchAll(/(?<![\w/.-])firstboot-[\w.-]*\w/g)].map((m) => m[0]);
  return [
    ...paths.filter((p) => p.includes("firstboot") && !PATHS.includes(p) && !FOREIGN.includes(p)),
    ...names.filter((n) => !NAMES.has(n)),
  ];
}

const plainSnippets = snippetNames().filter((n) => !n.endsWith(".hbs"));
const read = (path: string) => readFileSync(path, "utf8");

describe("the server contract", () => {
  it("names the paths the two sides share", () => {
    expect(PATHS).toEqual(
      expect.arrayContaining([contract.STATUS_FILE, contract.BACKUP_BIN, contract.unitPath(contract.STACK_UNIT)]),
    );
    expect(UNITS).toHaveLength(6);
    expect(PROGRAMS).toEqual(["firstboot-backup", "firstboot-restore", "firstboot-health"]);
  });

  it("finds a misspelt path or unit, and passes the contract's own", () => {
    expect(strays(`ExecStart=/bin/sh ${contract.DOCKER_USER_SCRIPT}\nAfter=${contract.DOCKER_USER_UNIT}`)).toEqual([]);
    expect(strays("ExecStart=/bin/sh /usr/local/lib/firstboot/docker_user.sh")).toHaveLength(1);
    expect(strays("systemctl start firstboot-stacks.service")).toEqual(["firstboot-stacks.service"]);
  });

  for (const n of plainSnippets) {
    it(`plain snippet ${n} spells its firstboot paths and units as the contract does`, () => {
      expect(strays(read(join(SNIPPETS_DIR, n)))).toEqual([]);
    });
  }

  it("snippets/README.md does too", () => {
    expect(strays(read(join(SNIPPETS_DIR, "README.md")))).toEqual([]);
  });

  it("plain snippets do use it (the check above is not vacuous)", () => {
    const all = plainSnippets.map((n) => read(join(SNIPPETS_DIR, n))).join("\n");
    for (const s of [contract.DOCKER_USER_SCRIPT, contract.BACKUP_CONF, contract.STACK_UNIT, contract.FLOATING_IP_UNIT])
      expect(all).toContain(s);
  });

  it("templates take them as data: none spells one outside its comments", () => {
    const found = snippetNames()
      .filter((n) => n.endsWith(".hbs"))
      .flatMap((n) => {
        const text = read(join(SNIPPETS_DIR, n)).replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, "");
        return [...PATHS, ...UNITS].filter((s) => text.includes(s)).map((s) => `${n}: ${s}`);
      });
    expect(found).toEqual([]);
  });

  it("templates use every entry of `paths` (none is passed for nothing)", () => {
    const all = snippetNames()
      .filter((n) => n.endsWith(".hbs"))
      .map((n) => read(join(SNIPPETS_DIR, n)))
      .join("\n");
    expect(Object.keys(contract.TEMPLATE_PATHS).filter((k) => !all.includes(`paths.${k}}}`))).toEqual([]);
  });

  it("no TypeScript file in src/ but the contract spells one of its paths or units", () => {
    const files = readdirSync(join(REPO, "src"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && f !== "server-contract.ts")
      .map((f) => `src/${f.split("\\").join("/")}`);
    const literals = [...new Set([...strings.filter((v) => v.startsWith("/")), ...UNITS])];
    const found = files.flatMap((f) => {
      const text = read(join(REPO, f));
      return literals.filter((l) => text.includes(l)).map((l) => `${f}: ${l}`);
    });
    expect(found).toEqual([]);
  });
});
