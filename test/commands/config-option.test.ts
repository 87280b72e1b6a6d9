// One way to name the config across verbs: `-c, --config <file>` everywhere a verb reads one,
// the positional `[config]` of the older verbs as an alias, firstboot.yaml when neither is given.
// Runs the built CLI; a missing file is the cheapest way to see which file a verb read.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { ROOT } from "../helpers/render.js";

const SELFMX = join(ROOT, "examples", "selfmx", "firstboot.yaml");
/** Verbs that take `[config]` as well as -c. */
const POSITIONAL = ["validate", "render", "size", "preview", "up", "replace", "rollback", "status", "recover"];
/** Verbs whose only way to name the config is -c (their positionals mean something else). */
const FLAG_ONLY = [["backup", "list"]];

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = openTmp();
});

const run = (args: string[]) => fb({ args, env: cliEnv(dir), cwd: dir });

describe("-c, --config", () => {
  it.each([...POSITIONAL.map((v) => [v]), ...FLAG_ONLY])(
    "%s reads -c, --config and firstboot.yaml",
    async (...verb) => {
      for (const [args, file] of [
        [["-c", "short.yaml"], "short.yaml"],
        [["--config=long.yaml"], "long.yaml"],
        [[], "firstboot.yaml"],
      ] as const) {
        const r = await run([...verb, ...args]);
        expect(r.exitCode, r.stderr).toBe(2);
        expect(r.stderr).toContain(`cannot read ${file}: there is no such file`);
      }
      const help = await run([...verb, "--help"]);
      expect(help.stdout).toMatch(/^ {2}-c, --config <file> +Config file \(default: firstboot\.yaml\)/m);
    },
  );

  it.each(POSITIONAL)("%s: the positional is an alias; both and different is bad input", async (verb) => {
    const alias = await run([verb, "positional.yaml"]);
    expect(alias.stderr).toContain("cannot read positional.yaml");
    const same = await run([verb, "same.yaml", "-c", "same.yaml"]);
    expect(same.stderr).toContain("cannot read same.yaml");
    const both = await run([verb, "a.yaml", "-c", "b.yaml"]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toBe("two config files given: a.yaml and --config b.yaml; give one (`-c FILE`)\n");
  });

  it("a real config: -c and the positional give the same result", async () => {
    const flag = await run(["render", "--redact", "-c", SELFMX]);
    const positional = await run(["render", "--redact", SELFMX]);
    expect(flag.exitCode, flag.stderr).toBe(0);
    expect(flag.stdout).toBe(positional.stdout);
    const listed = await run(["secrets", "list", "--config", SELFMX]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toBe((await run(["secrets", "list", "-c", SELFMX])).stdout);
    expect(listed.stdout.trim()).not.toBe("");
  });

  it("every verb's examples name a config with -c, never as a bare path", async () => {
    for (const verb of [...POSITIONAL, "backup", "secrets"]) {
      const help = (await run([verb, "--help"])).stdout;
      const examples = help.slice(help.indexOf("Examples:"));
      expect(examples, verb).not.toMatch(/firstboot \S+ (?!-c )\S*firstboot\.yaml/);
    }
  });
});
