// The committed firstboot.schema.json (what the examples point editors at) is what
// `firstboot schema` prints today, and every example is valid against it by a real JSON Schema
// validator (ajv, draft 2020-12), as an editor would check it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { EXAMPLES, ROOT } from "../helpers/render.js";

const SCHEMA_FILE = join(ROOT, "firstboot.schema.json");
const configs = EXAMPLES.map((e) => [`examples/${e}`, join(ROOT, "examples", e, "firstboot.yaml")]);

beforeAll(() => requireBuild());

describe("firstboot.schema.json", () => {
  it("is what `firstboot schema` prints, byte for byte", async () => {
    const r = await fb({ args: ["schema"], env: cliEnv(openTmp()) });
    expect(r.exitCode, r.stderr).toBe(0);
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    expect(committed === r.stdout, "run `node bin/firstboot.js schema -o firstboot.schema.json`").toBe(true);
  });

  it.each(configs)("%s names an existing schema file in its editor line", (_, config) => {
    const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(config, "utf8"));
    expect(m, "no `# yaml-language-server: $schema=` line").not.toBeNull();
    const target = resolve(dirname(config), m![1]!);
    expect(existsSync(target), target).toBe(true);
    expect(target).toBe(SCHEMA_FILE);
  });

  it.each(configs)("%s is valid against it (ajv)", async (_, config) => {
    const Ajv2020 = (await import("ajv/dist/2020.js")).default as unknown as typeof import("ajv").default;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
      JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object,
    );
    const data: unknown = parse(readFileSync(config, "utf8"));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...(data as object), surprise: 1 })).toBe(false);
  });
});
