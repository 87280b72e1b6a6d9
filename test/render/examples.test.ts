// Every bundled example: renders under budget, byte-stable, matches its golden file, and the
// document passes the real `cloud-init schema` and the upstream JSON schema.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloudInitSchema, jsonSchemaProblems } from "../../scripts/check-user-data.mjs";
import { REDACTED } from "../../src/render/index.js";
import { stackDirOf } from "../../src/server-contract.js";
import { expectComposeReads } from "../helpers/compose-dotenv.js";
import { EXAMPLES, filesOf, read, renderOk, ROOT, tmp } from "../helpers/render.js";

const GOLDEN = join(ROOT, "test", "golden");
// UPDATE_GOLDEN=1 npx vitest run test/render/examples.test.ts rewrites them (review the diff).
const update = process.env.UPDATE_GOLDEN === "1";

/** A reviewable view of what the document puts on disk (bundles and gzip decoded). */
function filesView(document: string): string {
  return filesOf(document)
    .map((f) => `==> ${f.path} (${f.mode})\n${f.content}${f.content.endsWith("\n") ? "" : "\n"}`)
    .join("\n");
}

describe.each(EXAMPLES)("example %s", (name) => {
  const config = join(ROOT, "examples", name, "firstboot.yaml");

  it("renders byte-identically twice and matches its golden file", async () => {
    const a = await renderOk(config, { redact: true });
    const b = await renderOk(config, { redact: true });
    expect(a.document).toBe(b.document);
    const golden = join(GOLDEN, `${name}.user-data.yaml`);
    const view = join(GOLDEN, `${name}.files.txt`);
    if (update || !existsSync(golden)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(golden, a.document);
      writeFileSync(view, filesView(a.document));
      if (!update) throw new Error(`wrote missing golden ${golden}: review and commit it`);
    }
    expect(a.document).toBe(read(golden));
    expect(filesView(a.document)).toBe(read(view));
  });

  // The budget: well under Hetzner's 32 KiB, leaving the user room for their own stack files. It
  // was 16 KiB until the fail-closed boot order (hardening first, the failure banner and unit)
  // added about 330 bytes to every document: haven and ki-mail-helper pack to 16.5-16.8 KB. 18 KiB
  // until `firstboot status` added the config hash file (two sha256s: incompressible) and the
  // backup's last-run record, about 300 bytes more with real secrets.
  it("stays under 18,944 bytes with real secrets, and the redacted render has none of them", async () => {
    const real = await renderOk(config);
    expect(real.bytes).toBeLessThan(18_944);
    const redacted = await renderOk(config, { redact: true });
    const shown = redacted.document + filesView(redacted.document);
    for (const value of Object.values(real.loaded.secrets)) {
      for (const line of value.split("\n").filter((l) => l.trim().length >= 8))
        expect(shown).not.toContain(line.trim());
    }
  });

  it("writes a .env that docker compose reads back exactly (real secrets, and the golden's redacted ones)", async () => {
    const real = await renderOk(config);
    const env = (doc: string) => filesOf(doc).find((f) => f.path === `${stackDirOf(real.config.name)}/.env`)?.content;
    const values = Object.entries(real.config.stack.env);
    const revealed = values.map(([k, v]) => [k, typeof v === "string" ? v : real.loaded.secrets[v.secret]!]);
    await expectComposeReads(env(real.document) ?? "", Object.fromEntries(revealed));
    const redacted = values.map(([k, v]) => [k, typeof v === "string" ? v : `${REDACTED}:${v.secret}`]);
    await expectComposeReads(env(read(join(GOLDEN, `${name}.user-data.yaml`))) ?? "", Object.fromEntries(redacted));
  });

  it("passes the upstream cloud-init JSON schema and the real `cloud-init schema`", async () => {
    const r = await renderOk(config);
    expect(jsonSchemaProblems(r.document)).toEqual([]);
    const file = join(tmp(), "user-data.yaml");
    writeFileSync(file, r.document, { mode: 0o600 });
    expect(cloudInitSchema(file)).toContain("Valid cloud-config");
  });
});
