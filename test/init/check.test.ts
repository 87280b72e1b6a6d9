// init's answer check against validate itself: a wrong value written into a config that
// validates is reported by loadConfig at that path with exactly the words init refuses it with.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { formatPath } from "../../src/config/diagnostics.js";
import { checkAt, type Key } from "../../src/init/check.js";
import { STARTER_CADDYFILE, STARTER_COMPOSE, starterConfig } from "../../src/init/starter.js";
import { testEnv, tmp, writeTree } from "../helpers/render.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
const DRAFT = {
  name: "shop",
  domain: "shop.example.com",
  email: "me@example.com",
  type: "cx23",
  location: "nbg1",
  image: "ubuntu-24.04",
  ssh_key: KEY,
  backup_time: "03:00",
  recipient: "age10wr6nhtcqsfnremppt6jsn76p0p9wx5yw9sd5rdgktuhmyhcddasrtktt4",
  backup_target: "sftp",
  sftp_host: "u1.your-storagebox.de",
  sftp_user: "u1",
  sftp_path: "backups",
  floating_ip: "yes",
  fip_name: "shop-ip",
  fip_ip: "203.0.113.7",
};

const WRONG: [Key[], unknown][] = [
  [["name"], "Bad Name"],
  [["server", "type"], "big"],
  [["server", "location"], "mars"],
  [["server", "image"], "arch"],
  [["server", "ssh_keys", 0], ""],
  [["server", "ssh_keys", 0], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoY"],
  [["backup", "schedule"], "3am"],
  [["backup", "schedule"], "25:00"],
  [["backup", "encrypt_to", 0], "age1nope"],
  [["server", "floating_ip", "name"], "-ip"],
  [["server", "floating_ip", "ip"], "1.2.3"],
  [["backup", "target", "sftp", "host"], "a b"],
  [["backup", "target", "sftp", "user"], "u 1"],
  [["backup", "target", "sftp", "path"], "../up"],
];

describe("an init answer is refused with validate's own diagnostic", () => {
  it("the config init writes validates as it is", async () => {
    const dir = writeTree(tmp(), { "firstboot.yaml": starterConfig(DRAFT), "compose.yaml": STARTER_COMPOSE });
    writeFileSync(join(dir, "Caddyfile"), STARTER_CADDYFILE);
    const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv({ FIRSTBOOT_SECRET_BACKUP_KEY: "k" }) });
    expect(r.ok ? [] : r.diagnostics).toEqual([]);
  });

  it.each(WRONG)("%j = %j", async (path, value) => {
    const doc = parseDocument(starterConfig(DRAFT));
    doc.setIn(path, value);
    const dir = writeTree(tmp(), { "firstboot.yaml": doc.toString(), "compose.yaml": STARTER_COMPOSE });
    writeFileSync(join(dir, "Caddyfile"), STARTER_CADDYFILE);
    const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv({ FIRSTBOOT_SECRET_BACKUP_KEY: "k" }) });
    const found = r.ok ? undefined : r.diagnostics.find((d) => d.path === formatPath(path));
    expect(found, r.ok ? "validate took it" : JSON.stringify(r.diagnostics)).toBeDefined();
    expect(checkAt(path, value)).toEqual({ message: found!.message, hint: found!.hint });
  });

  it("takes what validate takes", () => {
    expect(checkAt(["backup", "schedule"], "Mon..Fri *-*-* 02:30")).toBeUndefined();
    expect(checkAt(["server", "ssh_keys", 0], KEY)).toBeUndefined();
    expect(checkAt(["server", "floating_ip", "ip"], "2a01:4f8:1:2::/64")).toBeUndefined();
  });
});
