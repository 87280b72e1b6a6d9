// Every command that writes a file, pointed at a path that cannot take it: a missing folder, a
// folder, a path under a file, a read-only folder (run as nobody when the tests run as root),
// an empty path. Each must exit 2 with a diagnostic naming the option and the path, print
// nothing on stdout, and leave the folder exactly as it was (no file, no temp file).
import { chmodSync, cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, crashSigns, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { ROOT } from "../helpers/render.js";

beforeAll(requireBuild);

/** A stack anyone can read: the selfmx example (rendered with --redact: no identity needed). */
function workspace() {
  const dir = openTmp();
  const stack = join(dir, "stack");
  cpSync(join(ROOT, "examples", "selfmx"), stack, { recursive: true });
  chmodSync(stack, 0o755);
  writeFileSync(join(dir, "a-file"), "not a folder\n");
  mkdirSync(join(dir, "a-folder"));
  mkdirSync(join(dir, "read-only"), { mode: 0o555 });
  chmodSync(join(dir, "read-only"), 0o555);
  return { dir, stack, cfg: join(stack, "firstboot.yaml"), env: cliEnv(dir) };
}

/** Every file under dir, with its size: "nothing written" means this does not change. */
function snapshot(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
    .map((p) => `${p}:${statSync(join(dir, p)).size}`)
    .sort();
}

type Writer = (w: ReturnType<typeof workspace>, out: string) => { args: string[]; label: string; input?: string };

/** The secrets file lives next to the config: a config path in the place puts it there. */
const nextTo = (out: string) => join(out.replace(/out\.yaml$/, ""), "firstboot.yaml");

const WRITERS: Record<string, Writer> = {
  "render -o": (w, out) => ({ args: ["render", w.cfg, "--redact", "-o", out], label: "--output" }),
  "schema -o": (_w, out) => ({ args: ["schema", "-o", out], label: "--output" }),
  "keygen -o": (_w, out) => ({ args: ["keygen", "-o", out, "--force"], label: "--output" }),
  // --force: onto a folder, the starter compose.yaml and Caddyfile beside it must not be written either.
  "init --force": (_w, out) => ({ args: ["init", out, "--yes", "--force"], label: "config" }),
  "secrets set (the store next to the config)": (_w, out) => ({
    args: ["secrets", "set", "token", "-c", nextTo(out)],
    label: "secrets.file",
    input: "value",
  }),
  "local-cloud --request-log": (_w, out) => ({
    args: ["local-cloud", "start", "--request-log", out],
    label: "--request-log",
  }),
};

const PLACES: Record<string, { path: (dir: string) => string; says: RegExp }> = {
  "a missing folder": { path: (d) => join(d, "missing", "out.yaml"), says: /the folder \S+\/missing does not exist/ },
  "a folder": { path: (d) => join(d, "a-folder"), says: /\S+\/a-folder is a folder/ },
  "a path under a file": {
    path: (d) => join(d, "a-file", "x", "out.yaml"),
    says: /\S+\/a-file is a file, not a folder/,
  },
  "a read-only folder": {
    path: (d) => join(d, "read-only", "out.yaml"),
    says: /no permission to create files in \S+\/read-only/,
  },
};

// A config in a folder is a draft config there, not a secrets file that is a folder.
const CASES = Object.entries(WRITERS).flatMap(([name, writer]) =>
  Object.entries(PLACES)
    .filter(([place]) => !(name.startsWith("secrets") && place === "a folder"))
    .map(([place, p]) => [`${name} into ${place}`, writer, p] as const),
);

describe("a path that cannot take the file", () => {
  it.each(CASES)("%s: exit 2, a diagnostic, nothing written", async (_name, writer, place) => {
    const w = workspace();
    const { args, label, input } = writer(w, place.path(w.dir));
    const before = snapshot(w.dir);
    const r = await fb({ args, env: w.env, input, unprivileged: true });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(crashSigns(r.stderr)).toEqual([]);
    expect(r.stderr).toContain(`error[${label}]: `);
    expect(r.stderr).toMatch(place.says);
    expect(r.stderr).toContain("nothing was written");
    expect(snapshot(w.dir)).toEqual(before);
  });
});

describe("the same writes where they can go", () => {
  it("succeed as the same user (the refusals above are about the paths)", async () => {
    const w = workspace();
    chmodSync(join(w.dir, "a-folder"), 0o777);
    const out = join(w.dir, "a-folder", "user-data.yaml");
    const r = await fb({ args: ["render", w.cfg, "--redact", "-o", out], env: w.env, unprivileged: true });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(w.dir, "a-folder"))).toEqual(["user-data.yaml"]);
  });

  it("an empty path (an unset variable) is refused, not taken as stdout", async () => {
    const w = workspace();
    for (const args of [
      ["render", w.cfg, "--redact", "-o", ""],
      ["schema", "-o", ""],
      ["keygen", "-o", ""],
    ]) {
      const r = await fb({ args, env: w.env });
      expect(r.exitCode, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("the path is empty");
    }
  });

  it("backup --dir that is a file is refused before the config is even read", async () => {
    const w = workspace();
    const r = await fb({ args: ["backup", "list", "--config", w.cfg, "--dir", join(w.dir, "a-file")], env: w.env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error[--dir]: ");
    expect(r.stderr).toMatch(/a-file is not a folder/);
  });
});
