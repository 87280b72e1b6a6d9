// Every command of the built CLI, given hostile arguments: config files that are missing, a
// folder, unreadable (mode 000, run as nobody when the tests run as root), empty, binary, a YAML
// list or scalar, a named pipe; unknown options, missing arguments, bad values, unknown
// actions. Each must end with exit 2 and a message, print nothing on stdout, and never show a
// JavaScript stack trace or a raw error class.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, crashSigns, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { ROOT } from "../helpers/render.js";

const dir = openTmp("firstboot-hostile-args-");
const env = cliEnv(dir, { EDITOR: "true" });
const SELFMX = join(ROOT, "examples", "selfmx", "firstboot.yaml");

/** Bytes that are no text: every value, in a fixed scrambled order (no NUL-free luck). */
const GARBAGE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));

const FILES: Record<string, string> = {
  missing: join(dir, "missing.yaml"),
  folder: join(dir, "folder"),
  unreadable: join(dir, "unreadable.yaml"),
  empty: join(dir, "empty.yaml"),
  binary: join(dir, "binary.yaml"),
  "a YAML list": join(dir, "list.yaml"),
  "a YAML scalar": join(dir, "scalar.yaml"),
  "a named pipe": join(dir, "pipe.yaml"),
  "an undefined alias": join(dir, "alias.yaml"),
};

beforeAll(() => {
  requireBuild();
  mkdirSync(FILES.folder!);
  writeFileSync(FILES.unreadable!, "version: 1\nname: demo\n");
  chmodSync(FILES.unreadable!, 0o000);
  writeFileSync(FILES.empty!, "");
  writeFileSync(FILES.binary!, GARBAGE);
  writeFileSync(FILES["a YAML list"]!, "- version: 1\n- name: demo\n");
  writeFileSync(FILES["a YAML scalar"]!, "firstboot\n");
  execFileSync("mkfifo", [FILES["a named pipe"]!]);
  writeFileSync(FILES["an undefined alias"]!, "version: 1\nname: *nope\n");
});

/** Commands that read a config (or an image definition) from a path. */
const READERS: Record<string, (file: string) => string[]> = {
  validate: (f) => ["validate", f],
  render: (f) => ["render", f],
  "render -o": (f) => ["render", f, "-o", join(dir, "out.yaml")],
  size: (f) => ["size", f],
  preview: (f) => ["preview", f],
  up: (f) => ["up", f],
  replace: (f) => ["replace", f, "--dry-run"],
  rollback: (f) => ["rollback", f],
  "backup list": (f) => ["backup", "list", "--config", f],
  "build-image": (f) => ["build-image", f],
  "secrets list": (f) => ["secrets", "list", "-c", f],
  "secrets edit": (f) => ["secrets", "edit", "-c", f],
};

// A config that does not exist yet is a draft to the secrets commands (documented): they work.
const DRAFT_OK = new Set(["secrets list missing", "secrets edit missing"]);

const FILE_CASES = Object.entries(READERS).flatMap(([cmd, args]) =>
  Object.entries(FILES)
    .filter(([kind]) => !DRAFT_OK.has(`${cmd} ${kind}`))
    .map(([kind, file]) => [`${cmd} <${kind}>`, args(file)] as const),
);

const VERBS = ["init", "validate", "render", "size", "schema", "keygen", "secrets", "preview", "backup"];
const HCLOUD = ["build-image", "up", "replace", "rollback", "gc", "images", "fake-api", "local-cloud"];

const ARG_CASES: [string, string[]][] = [
  ...[...VERBS, ...HCLOUD].map((v): [string, string[]] => [`${v} --no-such-flag`, [v, "--no-such-flag"]]),
  ...["secrets", "backup", "build-image", "images", "local-cloud"].map((v): [string, string[]] => [
    `${v} (no arguments)`,
    [v],
  ]),
  ["unknown verb", ["frobnicate"]],
  ["secrets unknown action", ["secrets", "frobnicate"]],
  ["secrets set without a name", ["secrets", "set"]],
  ["secrets set with a bad name", ["secrets", "set", "Bad-Name", "-c", SELFMX]],
  ["backup unknown action", ["backup", "frobnicate", "--config", SELFMX]],
  ["images unknown action", ["images", "frobnicate"]],
  ["images --keep 0", ["images", "prune", "--keep", "0"]],
  ["local-cloud unknown action", ["local-cloud", "stop"]],
  ["local-cloud --port 99999", ["local-cloud", "start", "--port", "99999"]],
  ["local-cloud --ports nonsense", ["local-cloud", "start", "--ports", "nonsense"]],
  ["fake-api --port lots", ["fake-api", "--port", "lots"]],
  ["preview --memory lots", ["preview", SELFMX, "--memory", "lots"]],
  ["replace --rollback-window soon", ["replace", SELFMX, "--rollback-window", "soon"]],
  ["gc --min-age soon", ["gc", "--min-age", "soon"]],
  ["gc without a Hetzner token", ["gc"]],
  ["images list without a Hetzner token", ["images", "list"]],
  ["render -o given twice", ["render", SELFMX, "-o", join(dir, "a.yaml"), "-o", join(dir, "b.yaml")]],
  ["render a missing option value", ["render", SELFMX, "-o"]],
  ["init onto a folder", ["init", join(dir, "folder"), "--yes"]],
];

async function expectCleanFailure(args: string[]): Promise<void> {
  const r = await fb({ args, env, cwd: dir, unprivileged: true });
  const shown = `firstboot ${args.join(" ")}\n${r.stderr}`;
  expect(r.exitCode, shown).toBe(2);
  expect(r.stdout, shown).toBe("");
  expect(r.stderr.trim(), shown).not.toBe("");
  expect(crashSigns(r.stderr), shown).toEqual([]);
}

describe("config paths that are not a config", () => {
  it.each(FILE_CASES)("%s", async (_name, args) => expectCleanFailure([...args]));
});

describe("arguments and options", () => {
  it.each(ARG_CASES)("%s", async (_name, args) => expectCleanFailure(args));
});
