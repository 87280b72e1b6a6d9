// Nothing outside the config's directory is read through a symbolic link: a link named like a
// stack file but pointing at ~/.ssh/id_ed25519 or /etc/shadow would ship that file to the server.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../src/config/diagnostics.js";
import { loadConfig } from "../../src/config/load.js";
import { testEnv, tmp, writeTree } from "../helpers/render.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
const COMPOSE = "services:\n  app:\n    image: nginx:1.27\n";
const CONFIG = `version: 1\nname: demo\nserver:\n  type: cx23\n  location: nbg1\n  image: debian-13\n  ssh_keys: ['${KEY}']\nstack:\n  compose: ./compose.yaml\n  files:\n    app.conf: ./app.conf\n`;

/** A config folder inside `root` whose app.conf and compose.yaml may be links. */
function folder(): { root: string; dir: string } {
  const root = tmp();
  const dir = join(root, "stack");
  mkdirSync(dir);
  writeTree(dir, { "firstboot.yaml": CONFIG });
  writeFileSync(join(root, "secret-key"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  return { root, dir };
}

const load = (dir: string) => loadConfig(join(dir, "firstboot.yaml"), { env: testEnv({}) });

describe("files read through symbolic links", () => {
  it("refuses a stack file that links out of the config's directory, naming the key, never its content", async () => {
    const { root, dir } = folder();
    writeFileSync(join(dir, "compose.yaml"), COMPOSE);
    symlinkSync(join(root, "secret-key"), join(dir, "app.conf"));
    const r = await load(dir);
    expect(r.ok).toBe(false);
    const text = r.ok ? "" : formatDiagnostics(r.diagnostics);
    expect(text).toContain(
      'error[stack.files["app.conf"]]: ./app.conf is a symbolic link to a file outside the config\'s directory',
    );
    expect(text).not.toContain("PRIVATE KEY");
  });

  it("refuses a compose file that links out, even through a relative link", async () => {
    const { root, dir } = folder();
    writeFileSync(join(root, "compose.yaml"), COMPOSE);
    symlinkSync("../compose.yaml", join(dir, "compose.yaml"));
    writeFileSync(join(dir, "app.conf"), "x");
    const r = await load(dir);
    expect(r.ok ? "" : formatDiagnostics(r.diagnostics)).toContain(
      "error[stack.compose]: ./compose.yaml is a symbolic link",
    );
  });

  it("follows a link that stays inside the config's directory", async () => {
    const { dir } = folder();
    writeTree(dir, { "compose.yaml": COMPOSE, "conf/real.conf": "listen 80\n" });
    symlinkSync("conf/real.conf", join(dir, "app.conf"));
    const r = await load(dir);
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(Object.values(r.loaded.included.files).map(String)).toContain("listen 80\n");
  });
});
