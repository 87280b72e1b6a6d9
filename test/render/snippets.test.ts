// The server programs that take no data are plain files: shellchecked as they are on disk (the
// three parts of firstboot-backup together, as they are shipped), and rendered byte for byte.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { plainFile, snippet, snippetNames, SNIPPETS_DIR } from "../../src/render/template.js";

const programs = snippetNames().filter((n) => n.endsWith(".sh"));
// Step scripts run inside the bash runner; floating-ip.sh is run by its unit with /bin/sh.
const dialect = (n: string, text: string) =>
  /^#!\/bin\/sh/.test(text) || n === "floating_ip/floating-ip.sh" ? "sh" : "bash";
const BACKUP_PARTS = ["backup/backup.sh", "backup/restore.sh", "backup/main.sh"];

async function shellcheck(text: string, shell: string): Promise<string> {
  const r = await run(["shellcheck", "-s", shell, "-"], { input: text, allowFailure: true });
  return (r.stdout + r.stderr).trim();
}

describe("plain server programs", () => {
  it("are there: the data-free programs are not templates", () => {
    expect(programs).toEqual(
      expect.arrayContaining([...BACKUP_PARTS, "backup/restore-cmd.sh", "ssh/step.sh", "server/server.sh"]),
    );
  });

  for (const n of programs.filter((x) => !BACKUP_PARTS.includes(x))) {
    it(`${n} passes shellcheck as it is`, async () => {
      const text = readFileSync(join(SNIPPETS_DIR, n), "utf8");
      expect(await shellcheck(text, dialect(n, text)), "apt-get install shellcheck").toBe("");
    });
  }

  it("firstboot-backup's three parts pass shellcheck together, as shipped", async () => {
    expect(await shellcheck(BACKUP_PARTS.map(plainFile).join(""), "bash")).toBe("");
  });

  it("plainFile gives the file's bytes, and refuses a template", () => {
    expect(plainFile("ssh/step.sh")).toBe(readFileSync(join(SNIPPETS_DIR, "ssh/step.sh"), "utf8"));
    expect(() => plainFile("stack/health.sh.hbs")).toThrow(/template/);
    expect(() => snippet("no/such.hbs", {})).toThrow(/no snippet/);
  });
});
