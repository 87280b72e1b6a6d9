// `render --files DIR` and `firstboot diff` through the built CLI. The files written are checked
// against the render's own file list (before packing) and against cloud-init's reading of the
// same document (its cc_write_files decoding and permissions, tarfile for the bundle).
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fileBytes } from "../../src/render/document.js";
import { cliEnv, crashSigns, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { cloudInitEntries } from "../helpers/cloud-init-files.js";
import { EXAMPLES, renderOk, ROOT } from "../helpers/render.js";

beforeAll(requireBuild);

/** path on the server -> [mode, bytes] of every file under `dir` (the rest-of-config file aside). */
function tree(dir: string): Map<string, [string, Buffer]> {
  const out = new Map<string, [string, Buffer]>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p !== join(dir, ".cloud-config.yaml"))
        out.set("/" + relative(dir, p), [(statSync(p).mode & 0o7777).toString(8).padStart(4, "0"), readFileSync(p)]);
    }
  };
  walk(dir);
  return out;
}

describe.each(EXAMPLES)("render --files, example %s", (name) => {
  const config = join(ROOT, "examples", name, "firstboot.yaml");

  it.each([false, true])(
    "writes every file as the server gets it (redact: %s)",
    async (redact) => {
      const home = openTmp();
      const [dir, doc] = [join(home, "files"), join(home, "user-data.yaml")];
      const flags = redact ? ["--redact"] : [];
      const r = await fb({ args: ["render", config, ...flags, "--files", dir, "-o", doc], env: cliEnv(home) });
      expect(r.stderr).toContain(`under ${dir}`);
      expect(r.exitCode).toBe(0);
      const written = tree(dir);
      const parts = (await renderOk(config, { redact })).files;
      expect([...written.keys()].sort()).toEqual(parts.map((f) => f.path).sort());
      for (const f of parts) {
        expect(written.get(f.path)?.[0], f.path).toBe(f.mode);
        expect(written.get(f.path)?.[1].equals(fileBytes(f)), f.path).toBe(true);
      }
      // What cloud-init itself makes of the document the same run wrote.
      const byCloudInit = await cloudInitEntries(readFileSync(doc, "utf8"));
      byCloudInit.delete("/var/lib/firstboot/bundle.tar");
      expect([...byCloudInit.keys()].sort()).toEqual([...written.keys()].sort());
      for (const [path, f] of byCloudInit)
        expect([path, f.mode, f.data.equals(written.get(path)![1])]).toEqual([path, written.get(path)![0], true]);
      expect(statSync(join(dir, ".cloud-config.yaml")).mode & 0o777).toBe(0o600);
    },
    60_000,
  );
});

describe("render --files", () => {
  const config = join(ROOT, "examples", "selfmx", "firstboot.yaml");

  it("refuses a folder that is not empty unless --force, writing nothing", async () => {
    const home = openTmp();
    const dir = join(home, "files");
    mkdirSync(dir);
    writeFileSync(join(dir, "keep.txt"), "mine\n");
    const r = await fb({ args: ["render", config, "--redact", "--files", dir], env: cliEnv(home) });
    expect([r.exitCode, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toContain("is not empty");
    expect(crashSigns(r.stderr)).toEqual([]);
    expect(readdirSync(dir)).toEqual(["keep.txt"]);
    const forced = await fb({ args: ["render", config, "--redact", "--files", dir, "--force"], env: cliEnv(home) });
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(join(dir, "opt", "selfmx", "compose.yaml"), "utf8")).toBe(
      readFileSync(join(ROOT, "examples", "selfmx", "compose.yaml"), "utf8"),
    );
  }, 60_000);
});

describe("diff", () => {
  async function renderTo(home: string, configDir: string, out: string): Promise<string> {
    const file = join(home, out);
    const r = await fb({
      args: ["render", join(configDir, "firstboot.yaml"), "--redact", "-o", file],
      env: cliEnv(home),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    return file;
  }

  it("exits 0 on equal renders, 1 with a unified diff naming the changed file, 2 on bad input", async () => {
    const home = openTmp();
    const copy = join(home, "selfmx");
    cpSync(join(ROOT, "examples", "selfmx"), copy, { recursive: true });
    const a = await renderTo(home, copy, "a.yaml");
    const same = await fb({ args: ["diff", a, await renderTo(home, copy, "a2.yaml")], env: cliEnv(home) });
    expect([same.exitCode, same.stdout, same.stderr]).toEqual([0, "", ""]);

    const compose = join(copy, "compose.yaml");
    writeFileSync(compose, readFileSync(compose, "utf8").replace("restart: unless-stopped", "restart: always"));
    const b = await renderTo(home, copy, "b.yaml");
    const changed = await fb({ args: ["diff", a, b], env: cliEnv(home) });
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toContain("--- a/opt/selfmx/compose.yaml\n+++ b/opt/selfmx/compose.yaml\n@@ ");
    expect(changed.stdout).toContain("\n-    restart: unless-stopped\n+    restart: always\n");
    // Only the compose file and the config hash `firstboot status` compares changed: firstboot's
    // bundled programs compare equal once decoded.
    expect(changed.stdout.match(/^--- .*$/gm)).toEqual([
      "--- a/etc/firstboot/config.sha256",
      "--- a/opt/selfmx/compose.yaml",
    ]);

    writeFileSync(join(home, "not.yaml"), "hello: world\n");
    const bad = await fb({ args: ["diff", a, join(home, "not.yaml")], env: cliEnv(home) });
    expect([bad.exitCode, bad.stdout]).toEqual([2, ""]);
    expect(bad.stderr).toContain("not a firstboot user-data document (its first line is not #cloud-config)");
  }, 60_000);
});
