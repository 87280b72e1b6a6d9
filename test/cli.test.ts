// src/cli.ts answers `--version` and `--help` without the parser or any command; whatever the
// built bundle loads for them (and for `render`) is recorded by a module hook in the real CLI
// process and checked against what each bundle chunk holds (esbuild's metafile).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { versionLine } from "../src/cli.js";
import { run as runCli } from "../src/commands/main.js";
import { run } from "../src/exec.js";
import { BIN, requireBuild } from "./helpers/cli.js";
import { DEMO_IDENTITY, ROOT } from "./helpers/render.js";

const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.FB_TRACE, r.url + "\\n");
  return r;
}`;

let dir: string;
type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };
let meta: Meta;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), "fb-start-"));
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  const preload = `import { register } from "node:module"; import { appendFileSync } from "node:fs";
register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});
process.on("exit", () => appendFileSync(process.env.FB_TRACE, process.moduleLoadList.map((m) => "builtin:" + m).join("\\n")));`;
  writeFileSync(join(dir, "preload.mjs"), preload);
  meta = JSON.parse(readFileSync(join(ROOT, ".bundle-meta.json"), "utf8")) as Meta;
});

/** The bundle chunks, package modules and Node built-ins one run of the built CLI loaded. */
async function loaded(args: string[]): Promise<{ inputs: string[]; builtins: string[]; stdout: string }> {
  const trace = join(dir, `trace-${args.join("_").replace(/\W/g, "")}.txt`);
  const r = await run(["node", "--import", pathToFileURL(join(dir, "preload.mjs")).href, BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: dir, FB_TRACE: trace, FIRSTBOOT_IDENTITY: DEMO_IDENTITY },
    cwd: ROOT,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const lines = readFileSync(trace, "utf8").split("\n");
  const dist = pathToFileURL(join(ROOT, "dist")).href + "/";
  const chunks = [...new Set(lines.filter((l) => l.startsWith(dist)).map((l) => "dist/" + l.slice(dist.length)))];
  for (const c of chunks)
    if (c.endsWith(".js") && c !== "dist/snippets.js") expect(meta.outputs, c).toHaveProperty([c]);
  const inputs = chunks.flatMap((c) => Object.keys(meta.outputs[c]?.inputs ?? {}));
  return { inputs, builtins: lines.filter((l) => l.startsWith("builtin:")), stdout: r.stdout };
}

describe("the bundle's start", () => {
  it("--version, --help and no arguments load no command, no parser and no package", async () => {
    for (const args of [["--version"], ["-v"], ["--help"], ["-h"], []]) {
      const { inputs } = await loaded(args);
      expect(inputs.length, args.join(" ")).toBeGreaterThan(0);
      expect(
        inputs.filter((i) => i.startsWith("src/commands/") || i.includes("node_modules/")),
        args.join(" "),
      ).toEqual([]);
    }
  });

  it("render loads its own command and not the others, zod's English messages only", async () => {
    const { inputs } = await loaded(["render", "--redact", "examples/selfmx/firstboot.yaml"]);
    expect(inputs).toContain("src/commands/render.ts");
    expect(inputs.filter((i) => /^src\/commands\/(up|replace|init|backup|preview|local-cloud)\.ts$/.test(i))).toEqual(
      [],
    );
    const locales = inputs.filter((i) => i.includes("zod/v4/locales/")).map((i) => i.replace(/^.*node_modules\//, ""));
    expect(locales).toEqual(["zod/v4/locales/en.js"]);
  });
});

describe("src/cli.ts answers as the parser would", () => {
  async function parserOutput(args: string[]): Promise<string> {
    const out: string[] = [];
    const spy = vi.spyOn(console, "info").mockImplementation((...a: unknown[]) => void out.push(a.join(" ") + "\n"));
    try {
      expect(await runCli(["node", "firstboot", ...args])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    return out.join("");
  }

  it("--version", async () => {
    expect(versionLine()).toBe(await parserOutput(["--version"]));
  });

  it("--help, from the text the build wrote", async () => {
    const built = await run(["node", BIN, "--help"], { cwd: ROOT });
    expect(built.stdout).toBe(await parserOutput(["--help"]));
    expect(built.stdout).toBe(readFileSync(join(ROOT, "dist/help.txt"), "utf8"));
    expect((await run(["node", BIN], { cwd: ROOT })).stdout).toBe(built.stdout);
  });
});
