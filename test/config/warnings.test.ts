// Soft rules: findings that are printed as `warning[path]` and never stop validate or render.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../src/config/diagnostics.js";
import { loadConfig } from "../../src/config/load.js";
import { run } from "../../src/exec.js";
import { EXAMPLES, ROOT, testEnv, tmp, writeTree } from "../helpers/render.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
const COMPOSE =
  "services:\n  app:\n    image: nginx:1.27\n    ports: ['80:80']\n    volumes: [data:/data]\nvolumes:\n  data: {}\n";
const AGE = "age10wr6nhtcqsfnremppt6jsn76p0p9wx5yw9sd5rdgktuhmyhcddasrtktt4";
const TARGET = "  target:\n    sftp:\n      host: u1.your-storagebox.de\n      user: u1\n      key: k\n";
const BACKUP = `backup:\n  schedule: "03:00"\n  volumes: [data]\n  encrypt_to: [${AGE}]\n${TARGET}`;

function config(hardening: string, backup = BACKUP): string {
  return `version: 1\nname: demo\nserver:\n  type: cx23\n  location: nbg1\n  image: debian-13\n  ssh_keys: ['${KEY}']\nhardening:\n${hardening}stack:\n  compose: ./compose.yaml\n${backup}`;
}

async function warnings(hardening: string, backup = BACKUP) {
  const dir = writeTree(tmp(), { "firstboot.yaml": config(hardening, backup), "compose.yaml": COMPOSE });
  const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv() });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
  return r.loaded.warnings;
}

const FIREWALL = "  firewall:\n    allow: [80/tcp]\n";

describe("warnings", () => {
  it("none for every bundled example", async () => {
    for (const ex of EXAMPLES) {
      const r = await loadConfig(join(ROOT, "examples", ex, "firstboot.yaml"), { env: testEnv() });
      expect(r.ok && r.loaded.warnings, ex).toEqual([]);
    }
  });

  it("an automatic reboot within an hour of the backup, across midnight too", async () => {
    const near = await warnings(`${FIREWALL}  updates:\n    reboot_at: "02:30"\n`);
    expect(formatDiagnostics(near)).toContain(
      "warning[hardening.updates.reboot_at]: an automatic reboot at 02:30 can cut short the backup at 03:00",
    );
    expect(near[0]).toMatchObject({ line: 12, col: 16, severity: "warning" });
    expect(await warnings(`${FIREWALL}  updates:\n    reboot_at: "04:00"\n`)).toEqual([]);
    const midnight = await warnings(
      `${FIREWALL}  updates:\n    reboot_at: "23:45"\n`,
      BACKUP.replace("03:00", "00:15"),
    );
    expect(midnight.map((w) => w.path)).toEqual(["hardening.updates.reboot_at"]);
  });

  it("published ports without a firewall", async () => {
    const w = await warnings("  firewall: false\n");
    expect(w.map((x) => x.path)).toEqual(["hardening"]);
    expect(w[0]!.message).toContain("(80/tcp)");
  });

  it("named volumes that nothing backs up", async () => {
    const w = await warnings(FIREWALL, "");
    expect(w.map((x) => x.path)).toEqual(["stack.compose"]);
    expect(w[0]!.message).toContain("volumes (data)");
  });

  it("validate prints them and still exits 0", async () => {
    const dir = writeTree(tmp(), { "firstboot.yaml": config("  firewall: false\n"), "compose.yaml": COMPOSE });
    const r = await run(["node", join(ROOT, "bin/firstboot.js"), "validate", join(dir, "firstboot.yaml")], {
      allowFailure: true,
      env: testEnv(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning\[hardening\]: no firewall/);
    expect(r.stdout).toContain("1 warning above");
  });
});
