// The container image, read (no Docker engine here): the Dockerfile builds what `npm run build`
// builds, runs as a non-root user with a HOME any uid may write and an editor, copies only
// files that exist; README's `docker run` lines run as the caller, mount the firstboot folder
// read-write (pinned host keys) where the image's HOME puts it and the identity read-only where
// the config's default `secrets.identity` points. The entrypoint is checked by shellcheck.
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { knownHostsPath } from "../src/deploy/cli-env.js";
import { run } from "../src/exec.js";
import { expandHome } from "../src/secrets/paths.js";
import { ROOT } from "./helpers/render.js";

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions per stage (comments dropped, `\` continuations joined). */
function stages(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((l) => l.trim() && !l.trimStart().startsWith("#"));
  const out: Instruction[][] = [];
  for (const l of lines) {
    const [, op, args] = /^\s*(\w+)\s+(.*)$/.exec(l)!;
    if (op!.toUpperCase() === "FROM") out.push([]);
    out.at(-1)!.push({ op: op!.toUpperCase(), args: args!.trim() });
  }
  return out;
}

const DOCKERFILE = stages(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const FINAL = DOCKERFILE.at(-1)!;
const BUILD = DOCKERFILE.at(-2)!;
const env = (name: string) =>
  FINAL.filter((i) => i.op === "ENV")
    .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)])
    .find((m) => m[1] === name)?.[2];
const HOME = env("HOME")!;

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const INSTALL = README.slice(README.indexOf("## Install"), README.indexOf("\n## ", README.indexOf("## Install") + 1));
const runLines = INSTALL.split("\n").filter((l) => l.startsWith("docker run "));
const imageName = /docker build -t (\S+) \./.exec(INSTALL)?.[1];

/** A run line's mounts: `-v src:dst[:ro]` and `--mount type=bind,src=…,dst=…[,readonly]`. */
function mounts(line: string): { src: string; dst: string; ro: boolean }[] {
  const v = [...line.matchAll(/-v "([^"]+)"/g)].map((m) => {
    const [src, dst, mode] = m[1]!.split(":");
    return { src: src!, dst: dst!, ro: mode === "ro" };
  });
  const bind = [...line.matchAll(/--mount (\S+)/g)].map((m) => {
    const f = Object.fromEntries(m[1]!.split(",").map((kv) => kv.split("=")));
    return { src: String(f.src).replace(/"/g, ""), dst: String(f.dst), ro: "readonly" in f };
  });
  return [...v, ...bind];
}

describe("Dockerfile", () => {
  it("builds in the build stage as `npm run build` does, after copying what the build reads", () => {
    const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build as string;
    const at = BUILD.findIndex((i) => i.op === "RUN" && i.args === script);
    expect(at).toBeGreaterThanOrEqual(0);
    const copiedAt = (re: RegExp) => BUILD.findIndex((i) => i.op === "COPY" && re.test(i.args));
    for (const re of [/^src\b/, /^snippets\b/, /^bin\b/, /\bscripts\/build\.mjs\b/]) {
      expect(copiedAt(re), String(re)).toBeGreaterThanOrEqual(0);
      expect(copiedAt(re), String(re)).toBeLessThan(at);
    }
    // The build imports these scripts: each must be copied in.
    const imported = [...readFileSync(join(ROOT, "scripts/build.mjs"), "utf8").matchAll(/"scripts", "([\w.-]+)"/g)];
    for (const [, name] of imported)
      expect(copiedAt(new RegExp(`\\bscripts/${name}\\b`)), name).toBeGreaterThanOrEqual(0);
    expect(FINAL.some((i) => i.op === "COPY" && i.args === "--from=build /app/dist ./dist")).toBe(true);
    // The bundle holds every dependency.
    expect(FINAL.some((i) => i.op === "COPY" && i.args.includes("node_modules"))).toBe(false);
  });

  it("ends as a non-root user, with a HOME any uid may write, an editor and the tools it calls", () => {
    const user = FINAL.filter((i) => i.op === "USER").at(-1);
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(HOME).toMatch(/^\/home\//);
    expect(FINAL.some((i) => i.op === "RUN" && new RegExp(`chmod 1777 ${HOME}( |$)`).test(i.args))).toBe(true);
    const apt = FINAL.find((i) => i.op === "RUN" && i.args.includes("apt-get install"))!.args;
    for (const pkg of ["openssh-client", "age", "ca-certificates", "libnss-wrapper"]) expect(apt).toContain(` ${pkg}`);
    const editor = env("EDITOR");
    expect(["nano", "vim.tiny"]).toContain(editor);
    expect(apt).toContain(editor === "nano" ? " nano" : " vim-tiny");
  });

  it("copies only files that exist and .dockerignore keeps", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").filter(Boolean);
    for (const stage of DOCKERFILE)
      for (const i of stage.filter((x) => x.op === "COPY" && !x.args.startsWith("--from"))) {
        for (const src of i.args.split(/\s+/).slice(0, -1)) {
          expect(existsSync(join(ROOT, src)), src).toBe(true);
          expect(
            ignored.some((p) => src === p || src.startsWith(`${p}/`)),
            src,
          ).toBe(false);
        }
      }
  });

  it("has an entrypoint that exists, is executable, passes shellcheck and starts the CLI", async () => {
    const [entry] = JSON.parse(FINAL.find((i) => i.op === "ENTRYPOINT")!.args) as string[];
    const copy = FINAL.find((i) => i.op === "COPY" && i.args.endsWith(` ${entry}`));
    const src = join(ROOT, copy!.args.split(/\s+/)[0]!);
    accessSync(src, constants.X_OK);
    const text = readFileSync(src, "utf8");
    expect(text).toMatch(/^exec node \/app\/bin\/firstboot\.js "\$@"$/m);
    expect(FINAL.some((i) => i.op === "COPY" && i.args === "bin ./bin")).toBe(true);
    const sc = await run(["shellcheck", src], { allowFailure: true });
    expect(sc.exitCode, sc.stdout).toBe(0);
  });
});

describe("README's docker lines", () => {
  it("build the image the run lines use, and run render, validate, up (with HCLOUD_TOKEN)", () => {
    expect(imageName).toBeDefined();
    const verbs = runLines.map((l) => new RegExp(` ${imageName} (.*)$`).exec(l)?.[1]);
    expect(verbs).toEqual(expect.arrayContaining([expect.stringMatching(/^render\b/), "validate", "up"]));
    for (const l of runLines) expect(l.includes("-e HCLOUD_TOKEN "), l).toBe(/ up$/.test(l));
  });

  it("run as the caller in the image's workdir", () => {
    expect(runLines.length).toBeGreaterThanOrEqual(4);
    const workdir = FINAL.filter((i) => i.op === "WORKDIR").at(-1)!.args;
    for (const l of runLines) {
      expect(l).toContain(' --user "$(id -u):$(id -g)" ');
      expect(mounts(l)).toContainEqual({ src: "$PWD", dst: workdir, ro: false });
    }
  });

  it("mount the pinned host keys' folder read-write and the identity read-only where the image looks", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "firstboot.schema.json"), "utf8"));
    const identity = expandHome(schema.properties.secrets.properties.identity.default as string, { HOME });
    const known = dirname(knownHostsPath({ HOME }));
    for (const l of runLines) {
      const m = mounts(l);
      expect(m, l).toContainEqual({ src: "$HOME/.config/firstboot", dst: known, ro: false });
      if (/ keygen$/.test(l)) continue;
      expect(m, l).toContainEqual({ src: "$HOME/.config/firstboot/identity.txt", dst: identity, ro: true });
    }
  });
});
