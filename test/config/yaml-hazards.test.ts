// YAML a plain parse lets through, in the config and the compose file: each is a diagnostic with
// a position, in bounded time and memory. The fixtures under test/fixtures/invalid/ hold one
// example of each with its exact text; this file holds what needs generated or special input
// (bombs too big to ever expand, files over the size limit, pipes and devices) and the values
// that must still come out right, checked against PyYAML (cloud-init's YAML reader).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics, type Diagnostic } from "../../src/config/diagnostics.js";
import { loadConfig } from "../../src/config/load.js";
import { MAX_YAML_BYTES, parseYaml } from "../../src/config/yaml-file.js";
import { testEnv, tmp, writeTree } from "../helpers/render.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
const COMPOSE = "services:\n  app:\n    image: nginx:1.27\n    ports: ['80:80']\n";

function minimal(extra = ""): string {
  return `version: 1\nname: demo\nserver:\n  type: cx23\n  location: nbg1\n  image: debian-13\n  ssh_keys: ['${KEY}']\nhardening:\n  firewall:\n    allow: [80/tcp]\nstack:\n  compose: ./compose.yaml\n${extra}`;
}

async function load(config: string, compose = COMPOSE) {
  const dir = writeTree(tmp(), { "firstboot.yaml": config, "compose.yaml": compose });
  return loadConfig(join(dir, "firstboot.yaml"), { env: testEnv() });
}

async function problems(config: string, compose = COMPOSE): Promise<Diagnostic[]> {
  const r = await load(config, compose);
  if (r.ok) throw new Error("the config loaded");
  return r.diagnostics;
}

/** `levels` anchors, each a list of `width` aliases of the one before: width^levels values. */
function bomb(levels: number, width = 10): string {
  const lines = [`  l0: &l0 [${Array(width).fill("lol").join(", ")}]`];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `  l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(", ")}]`,
    );
  return lines.join("\n") + "\n";
}

describe("aliases", () => {
  it("a bomb of 10^30 values fails at once, pointing at the alias that passes the limit", async () => {
    const t0 = performance.now();
    const ds = await problems(minimal(`  env:\n    X: x\nx-lol:\n${bomb(30)}`));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toMatch(/expand to more than 100000 values/);
    expect(ds[0]!.path).toMatch(/^x-lol\.l\d+\[\d+\]$/);
  });

  it("the same bomb in the compose file fails too, in the compose file", async () => {
    const ds = await problems(minimal(), `${COMPOSE}x-lol:\n${bomb(30)}`);
    expect(ds.map((d) => [d.file.endsWith("/compose.yaml"), d.path])).toEqual([[true, "stack.compose"]]);
  });

  it("an anchor used 150 times loads (yaml's own limit is 100 uses), every value right", async () => {
    const env = Array.from({ length: 150 }, (_, i) => `    V${i}: *v`).join("\n");
    const r = await load(minimal(`  env:\n    V: &v "same value"\n${env}\n`));
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(Object.values(r.loaded.config.stack.env)).toEqual(Array(151).fill("same value"));
  });

  it("aliases resolve as PyYAML resolves them (nested anchors, aliases of aliases)", () => {
    const text = "a: &a {x: &b 1, y: [&c z, *c]}\nb: *b\nc: *a\nd: &d [*a, *c]\ne: [*d, *b]\n";
    const ours = parseYaml("t.yaml", text);
    if (!ours.ok) throw new Error(formatDiagnostics(ours.diagnostics));
    const py = execFileSync("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"], {
      input: text,
    });
    expect(ours.data).toEqual(JSON.parse(py.toString()));
  });

  it("an anchor defined again applies from there on (YAML 1.2; PyYAML, a 1.1 reader, refuses it)", () => {
    const ours = parseYaml("t.yaml", "a: &a {x: &b 1}\nb: &b 2\nc: *a\nd: *b\n");
    expect(ours.ok && ours.data).toEqual({ a: { x: 1 }, b: 2, c: { x: 1 }, d: 2 });
  });

  it("an alias to itself, and to an anchor below it, are diagnostics (PyYAML refuses the second too)", async () => {
    const [loop] = await problems(minimal("  env:\n    A: &a [x, *a]\n"));
    expect(loop!.message).toMatch(/inside the value it repeats/);
    const [below] = await problems(minimal("  env:\n    A: *later\n    B: &later x\n"));
    expect([below!.path, below!.line, below!.message]).toEqual([
      "stack.env.A",
      14,
      "the alias `*later` refers to no anchor: no `&later` is defined above it",
    ]);
    const py = execFileSync(
      "python3",
      ["-c", "import sys,yaml\ntry: yaml.safe_load(sys.stdin)\nexcept Exception as e: print(e)"],
      {
        input: "a: *later\nb: &later x\n",
      },
    );
    expect(py.toString()).toMatch(/found undefined alias 'later'/);
  });
});

describe("size, kind and shape of the file", () => {
  it("a config over the size limit is refused before parsing", async () => {
    const big = minimal() + `# ${"x".repeat(MAX_YAML_BYTES)}\n`;
    const ds = await problems(big);
    expect(ds.map((d) => d.message)).toEqual([
      expect.stringMatching(/\/firstboot\.yaml is 1\d\d KiB; .* at most 128 KiB$/),
    ]);
  });

  it("a compose file over the limit is a problem of stack.compose", async () => {
    const ds = await problems(minimal(), `${COMPOSE}# ${"x".repeat(MAX_YAML_BYTES)}\n`);
    expect(ds.map((d) => [d.path, d.message])).toEqual([
      ["stack.compose", expect.stringMatching(/^\.\/compose\.yaml is \d+ bytes, more than the 131072 bytes/)],
    ]);
  });

  it("a stack file too big to ever fit the user-data is refused without being read", async () => {
    const dir = writeTree(tmp(), {
      "firstboot.yaml": minimal("  files:\n    big.bin: ./big.bin\n"),
      "compose.yaml": COMPOSE,
    });
    // Sparse: 30 MiB on paper, nothing on disk; reading it would still take time and memory.
    execFileSync("truncate", ["-s", "30M", join(dir, "big.bin")]);
    const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv() });
    expect(!r.ok && r.diagnostics.map((d) => [d.path, d.message])).toEqual([
      [
        'stack.files["big.bin"]',
        "./big.bin is 31457280 bytes, more than the 25165824 bytes firstboot reads for this file",
      ],
    ]);
  });

  it("a named pipe or a device is refused without waiting on it", async () => {
    const dir = tmp();
    execFileSync("mkfifo", [join(dir, "pipe.yaml")]);
    for (const file of [join(dir, "pipe.yaml"), "/dev/zero"]) {
      const r = await loadConfig(file, { env: testEnv() });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.diagnostics[0]!.message).toMatch(/not a regular file/);
    }
  });

  it("a folder is named as one", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "conf.yaml"));
    const r = await loadConfig(join(dir, "conf.yaml"), { env: testEnv() });
    expect(!r.ok && r.diagnostics[0]!.message).toMatch(/: it is a folder, not a file$/);
  });

  it("nesting is bounded before yaml's parser runs out of stack (block lists on one line too)", async () => {
    for (const deep of [`${"[".repeat(5000)}${"]".repeat(5000)}`, `\n${"      - ".repeat(1)}${"- ".repeat(5000)}x`]) {
      const ds = await problems(minimal(`  env:\n    A: ${deep}\n`));
      expect(ds.map((d) => d.message)).toEqual(["values are nested more than 256 levels deep"]);
    }
  });

  it("5000 repeated keys: the first 20 and a count of the rest (yaml's own check is quadratic)", async () => {
    const env = Array.from({ length: 5000 }, () => "    A: x").join("\n");
    const ds = await problems(minimal(`  env:\n${env}\n`));
    expect(ds).toHaveLength(21);
    expect(ds[0]!.path).toBe("stack.env.A");
    expect(ds[20]!.message).toBe("and 4979 more repeated keys in this file");
  });

  it("a long line is shown as a window around the caret, control characters made harmless", async () => {
    const text = formatDiagnostics(await problems(minimal(`  env:\n    A: "\u001b[31m${"y".repeat(5000)}" *x\n`)));
    const shown = text.split("\n").filter((l) => /^\d+ \| /.test(l));
    expect(shown).toHaveLength(1);
    expect(shown[0]!.length).toBeLessThan(200);
    expect(text).not.toContain("\u001b");
  });
});

describe("tags", () => {
  it("core tags are plain values; others are refused in the config, !reset/!override allowed in compose", async () => {
    const ok = await load(minimal("  env:\n    A: !!str 0123\n"));
    expect(ok.ok && ok.loaded.config.stack.env.A).toBe("0123");
    const ds = await problems(minimal("  env:\n    A: !!binary aGk=\n    B: !secret token\n"));
    expect(ds.map((d) => [d.path, d.col, d.length])).toEqual([
      ["stack.env.A", 8, 8],
      ["stack.env.B", 8, 7],
    ]);
    const compose = `${COMPOSE.replace("ports:", "ports: !override")}    volumes: !reset []\n`;
    const c = await load(minimal(), compose);
    expect(c.ok, c.ok ? "" : formatDiagnostics(c.diagnostics)).toBe(true);
  });
});
