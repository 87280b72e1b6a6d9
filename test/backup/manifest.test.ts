// The manifest next to each archive leaks nothing guessable: its member list (paths and sha256s,
// the .env's among them) is age-encrypted to the backup's recipient, so no plain hash on the
// storage confirms a guessed secret offline. It still does its job: restore (real age, real
// openssl) and the workstation's verify compare every unpacked file with it, list and prune need
// no private key, and backups written before (format 1, plain member lines) still restore.
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyBackup } from "../../src/backup/archive.js";
import { parseManifest } from "../../src/backup/manifest.js";
import { listBackups } from "../../src/backup/workstation.js";
import { backupSchema } from "../../src/config/schema-backup.js";
import { makeServer, newestBackup, openManifest, sqlite, type Server } from "./harness.js";

const ENV = "API_KEY=hunter2\n";
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

let s: Server;
let base = "";
const manifestOf = (b = base) => join(s.backupDir, `${b}.manifest`);
const verifies = (dir = "verify") =>
  verifyBackup(join(s.backupDir, `${base}.tar.zst.age`), join(s.root, "etc", "backup-identity.txt"), join(s.root, dir));

beforeAll(() => {
  s = makeServer({ backup: { sqlite: [{ volume: "data", path: "app.db" }], volumes: ["files"] } });
  sqlite(join(s.volume("data"), "app.db"), "CREATE TABLE t(x); INSERT INTO t VALUES ('live');");
  writeFileSync(join(s.volume("files"), "token.txt"), "s3cret-token\n");
  const r = s.run("backup");
  expect(r.status, r.out).toBe(0);
  base = newestBackup(s);
});

describe("the backup manifest", { timeout: 60_000 }, () => {
  it("holds no member hash or path in plain text: the .env's sha256 cannot be confirmed from the storage", () => {
    const text = readFileSync(manifestOf(), "utf8");
    const members = openManifest(s, base).trim().split("\n");
    // The .env really is archived, and its hash is the one a guesser would compute.
    expect(members).toContain(`member ${sha(ENV)} stack/.env`);
    expect(members).toContain(`member ${sha("s3cret-token\n")} volumes/files/token.txt`);
    for (const line of members) {
      const [, hash, path] = /^member (\S+) (.+)$/.exec(line)!;
      expect(text).not.toContain(hash);
      expect(text).not.toContain(path);
    }
    const lines = text.trim().split("\n");
    expect(lines[0]).toMatch(/^firstboot-backup 2 selfmx \d{8}T\d{6}Z$/);
    expect(lines[1]).toMatch(new RegExp(`^archive [0-9a-f]{64} \\d+ ${base}\\.tar\\.zst\\.age$`));
    expect(
      lines.slice(2).filter((l) => !/^[A-Za-z0-9+/=]+$|^-----(BEGIN|END) AGE ENCRYPTED FILE-----$/.test(l)),
    ).toEqual([]);
    const parsed = parseManifest(text);
    expect(parsed.members).toBeUndefined();
    expect(parsed.sealedMembers).toMatch(
      /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/,
    );
  });

  it("the workstation's verify decrypts the member list and checks every file against it", async () => {
    const r = await verifies();
    expect(r.base).toBe(base);
    expect(r.members).toBe(openManifest(s, base).trim().split("\n").length);
  });

  it("list and prune need no private key; the archive line still checks a download", async () => {
    const id = join(s.root, "etc", "backup-identity.txt");
    const saved = readFileSync(id, "utf8");
    rmSync(id);
    try {
      expect(s.run("backup", ["list"]).out.trim()).toBe(`${base} local`);
      const prune = s.run("backup", ["prune"]);
      expect(prune.status, prune.out).toBe(0);
      const w = { name: "selfmx", backup: backupSchema.parse({ encrypt_to: [s.recipient] }), reveal: () => "" };
      expect(await listBackups({ ...w, dir: s.backupDir, identityFile: id })).toEqual([
        { base, local: true, remote: false },
      ]);
      const m = parseManifest(readFileSync(manifestOf(), "utf8"));
      expect(m.archive.sha256).toBe(sha(readFileSync(join(s.backupDir, `${base}.tar.zst.age`))));
    } finally {
      writeFileSync(id, saved, { mode: 0o600 });
    }
  });

  it("a damaged member list is refused by restore and by verify, before anything is touched", async () => {
    const good = readFileSync(manifestOf(), "utf8");
    const lines = good.split("\n");
    lines[3] = lines[3]!.slice(0, 10) + (lines[3]![10] === "A" ? "B" : "A") + lines[3]!.slice(11);
    writeFileSync(manifestOf(), lines.join("\n"));
    try {
      const r = s.run("restore", [base]);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/cannot decrypt the manifest's member list.*nothing was changed/);
      expect(readFileSync(join(s.env.SHIM!, "docker.log"), "utf8")).not.toMatch(/compose -p selfmx create/);
      await expect(verifies("verify-bad")).rejects.toThrow(/cannot decrypt the member list in .*\.manifest/);
    } finally {
      writeFileSync(manifestOf(), good);
    }
  });

  it("a backup from before (format 1: member lines in plain text) still verifies and restores", async () => {
    const good = readFileSync(manifestOf(), "utf8");
    const [head, archive] = good.split("\n");
    writeFileSync(manifestOf(), [head!.replace(" 2 ", " 1 "), archive, openManifest(s, base)].join("\n"));
    try {
      expect(parseManifest(readFileSync(manifestOf(), "utf8")).members?.get("stack/.env")).toBe(sha(ENV));
      expect((await verifies("verify-v1")).base).toBe(base);
      sqlite(join(s.volume("data"), "app.db"), "UPDATE t SET x = 'changed'");
      const r = s.run("restore", [base]);
      expect(r.status, r.out).toBe(0);
      expect(sqlite(join(s.volume("data"), "app.db"), "SELECT x FROM t")).toBe("live");
    } finally {
      writeFileSync(manifestOf(), good);
    }
  });

  it("the parser refuses a block that is not one armored age file", () => {
    const good = readFileSync(manifestOf(), "utf8");
    expect(() => parseManifest(good.replace("-----END AGE ENCRYPTED FILE-----", ""))).toThrow(/bad manifest line/);
    expect(() => parseManifest(good + "member " + "0".repeat(64) + " x\n")).toThrow(/bad manifest line/);
    expect(() => parseManifest(good.replace("firstboot-backup 2", "firstboot-backup 3"))).toThrow(/format 1 or 2/);
  });
});
