// `init`, `secrets set` and `secrets edit` as a person at a terminal uses them: the built CLI runs in a
// real pseudo-terminal (test/helpers/pty.ts), keys are typed into it, and what the terminal
// showed is checked byte for byte; the stored secrets are read back with the real age CLI.
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { inPty } from "../helpers/pty.js";
import { ROOT, tmp } from "../helpers/render.js";

const BIN = join(ROOT, "bin", "firstboot.js");

interface Stack {
  dir: string;
  cfg: string;
  store: string;
  identity: string;
  /** TMPDIR of the CLI: `secrets edit` must leave it empty. */
  tmpdir: string;
  env: Record<string, string>;
}

/** The selfmx example with a fresh identity and no secrets file yet. */
async function stack(): Promise<Stack> {
  const dir = tmp("firstboot-tty-");
  const identity = join(dir, "identity.txt");
  const tmpdir = join(dir, "tmp");
  mkdirSync(tmpdir);
  cpSync(join(ROOT, "examples", "selfmx"), join(dir, "stack"), { recursive: true });
  rmSync(join(dir, "stack", "secrets.age"));
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, TMPDIR: tmpdir, FIRSTBOOT_IDENTITY: identity };
  await run([process.execPath, BIN, "keygen", "-o", identity], { env });
  const cfg = join(dir, "stack", "firstboot.yaml");
  return { dir, cfg, store: join(dir, "stack", "secrets.age"), identity, tmpdir, env };
}

const decrypt = async (s: Stack) =>
  JSON.parse((await run(["age", "--decrypt", "-i", s.identity, s.store])).stdout) as Record<string, string>;

/** Store secrets through the CLI's non-interactive path (value on stdin). */
async function preset(s: Stack, values: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(values))
    await run([process.execPath, BIN, "secrets", "set", k, "-c", s.cfg], { env: s.env, input: v });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist", "cli.js"))) throw new Error("dist/cli.js is missing: run `npm run build` first");
});

// Letters that appear in no message of firstboot: if one shows on the terminal, it was echoed.
const TYPED = "Жы\x1b[DФ\x7f€ßüЯ";
const SECRET = "Жы€ßüЯ";
const leaked = (output: string) => [..."ЖыФ€ßüЯ"].filter((c) => output.includes(c));

describe("secrets set on a terminal", () => {
  it("never echoes the value, handles Backspace and arrow keys, and stores exactly what was meant", async () => {
    const s = await stack();
    const argv = [process.execPath, BIN, "secrets", "set", "db_password", "-c", s.cfg];
    const r = await inPty(argv, [{ wait: "(typing is hidden):" }, { type: TYPED + "\r" }], s);
    expect(r.missed).toBeUndefined();
    expect(leaked(r.output)).toEqual([]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("secret db_password saved in");
    expect(await decrypt(s)).toEqual({ db_password: SECRET });
    expect(statSync(s.store).mode & 0o777).toBe(0o600);
  });

  it("Ctrl-C aborts with 130 and writes nothing", async () => {
    const s = await stack();
    const argv = [process.execPath, BIN, "secrets", "set", "db_password", "-c", s.cfg];
    const r = await inPty(argv, [{ wait: "(typing is hidden):" }, { type: "Жы\x03" }], s);
    expect(r.code).toBe(130);
    expect(leaked(r.output)).toEqual([]);
    expect(r.output).toContain("interrupted: nothing was written");
    expect(existsSync(s.store)).toBe(false);
  });

  it("Ctrl-D with nothing typed is an empty value: exit 2, nothing written", async () => {
    const s = await stack();
    const argv = [process.execPath, BIN, "secrets", "set", "db_password", "-c", s.cfg];
    const r = await inPty(argv, [{ wait: "(typing is hidden):" }, { type: "\x04" }], s);
    expect(r.code).toBe(2);
    expect(r.output).toContain("no value given for db_password");
    expect(existsSync(s.store)).toBe(false);
  });

  it("Ctrl-D after a value ends the input like Enter", async () => {
    const s = await stack();
    const argv = [process.execPath, BIN, "secrets", "set", "db_password", "-c", s.cfg];
    const r = await inPty(argv, [{ wait: "(typing is hidden):" }, { type: SECRET + "\x04" }], s);
    expect(r.code, r.output).toBe(0);
    expect(leaked(r.output)).toEqual([]);
    expect(await decrypt(s)).toEqual({ db_password: SECRET });
  });

  it("piped (no terminal): no prompt, the value is stdin without its final newline", async () => {
    const s = await stack();
    const r = await run([process.execPath, BIN, "secrets", "set", "db_password", "-c", s.cfg], {
      env: s.env,
      input: `${SECRET}\n`,
      allowFailure: true,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain("typing is hidden");
    expect(await decrypt(s)).toEqual({ db_password: SECRET });
  });
});

/**
 * A fake $EDITOR named `vim` (so firstboot passes it +LINE): run n logs its arguments, the
 * file's and folder's modes and the text it was given, then writes edit<n>.json over the file
 * (or, for a missing edit<n>.json, says EDITING and waits, to be interrupted).
 */
function fakeEditor(
  s: Stack,
  edits: string[],
): { env: Record<string, string>; log: () => string[]; seen: (n: number) => string } {
  const dir = join(s.dir, "editor");
  mkdirSync(join(dir, "bin"), { recursive: true });
  edits.forEach((e, i) => writeFileSync(join(dir, `edit${i}.json`), e));
  const script = `#!/bin/sh
n=$(cat "${dir}/runs" 2>/dev/null || echo 0)
echo $((n + 1)) > "${dir}/runs"
eval "file=\\\${$#}"
printf '%s|%s|%s\\n' "$*" "$(stat -c %a "$file")" "$(stat -c %a "$(dirname "$file")")" >> "${dir}/log"
cp "$file" "${dir}/seen$n.json"
if [ -f "${dir}/edit$n.json" ]; then cp "${dir}/edit$n.json" "$file"; exit 0; fi
# One process that says EDITING once it runs: Ctrl-C cannot fall between a message and a sleep.
exec "${process.execPath}" -e 'console.log("EDITING"); setTimeout(() => {}, 30000)'

`;
  writeFileSync(join(dir, "bin", "vim"), script);
  chmodSync(join(dir, "bin", "vim"), 0o755);
  return {
    env: { ...s.env, EDITOR: join(dir, "bin", "vim"), VISUAL: "" },
    log: () => (existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8").trim().split("\n") : []),
    seen: (n) => readFileSync(join(dir, `seen${n}.json`), "utf8"),
  };
}

const BROKEN = '{\n  "db_password": "old-Жы€",\n  "api_token": "new-ßüЯ",\n}\n';
const FIXED = '{\n  "db_password": "old-Жы€",\n  "api_token": "new-ßüЯ"\n}\n';

describe("secrets edit", () => {
  it("a JSON slip is reported by line and column, the editor reopens there on the user's text, then saves", async () => {
    const s = await stack();
    await preset(s, { db_password: "old-Жы€" });
    const ed = fakeEditor(s, [BROKEN, FIXED]);
    const argv = [process.execPath, BIN, "secrets", "edit", "-c", s.cfg];
    const r = await inPty(argv, [{ wait: "reopen the editor at line 3? [Y/n]" }, { type: "\r" }], {
      ...s,
      env: ed.env,
    });
    expect(r.missed, r.output).toBeUndefined();
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("--> secrets.json:3:25");
    expect(r.output).toContain("a comma after the last entry");
    expect(leaked(r.output)).toEqual([]);
    const [first, second] = ed.log();
    expect(first).toMatch(/^\S+\/secrets\.json\|600\|700$/);
    expect(second).toMatch(/^\+3 \S+\/secrets\.json\|600\|700$/);
    expect(ed.seen(1)).toBe(BROKEN);
    expect(await decrypt(s)).toEqual({ db_password: "old-Жы€", api_token: "new-ßüЯ" });
    expect(readdirSync(s.tmpdir)).toEqual([]);
  });

  it("answering n throws the edit away: exit 2, the store unchanged, the text removed", async () => {
    const s = await stack();
    await preset(s, { db_password: "old-Жы€" });
    const before = readFileSync(s.store);
    const ed = fakeEditor(s, [BROKEN]);
    const argv = [process.execPath, BIN, "secrets", "edit", "-c", s.cfg];
    const r = await inPty(argv, [{ wait: "[Y/n]" }, { type: "n\r" }], { ...s, env: ed.env });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain("the edit was thrown away");
    expect(readFileSync(s.store)).toEqual(before);
    expect(readdirSync(s.tmpdir)).toEqual([]);
  });

  it("Ctrl-C at the question, or while the editor runs, ends with 130 and removes the text", async () => {
    for (const keys of [
      [{ wait: "[Y/n]" }, { type: "\x03" }],
      [{ wait: "EDITING" }, { type: "\x03" }],
    ]) {
      const s = await stack();
      await preset(s, { db_password: "old-Жы€" });
      const before = readFileSync(s.store);
      const ed = fakeEditor(s, keys[0]!.wait === "EDITING" ? [] : [BROKEN]);
      const r = await inPty([process.execPath, BIN, "secrets", "edit", "-c", s.cfg], keys, { ...s, env: ed.env });
      expect(r.code, r.output).toBe(130);
      expect(readFileSync(s.store)).toEqual(before);
      expect(readdirSync(s.tmpdir)).toEqual([]);
    }
  });

  it("without a terminal there is no question: exit 2 with the position, nothing quoted, nothing kept", async () => {
    const s = await stack();
    await preset(s, { db_password: "old-Жы€" });
    const before = readFileSync(s.store);
    const ed = fakeEditor(s, ["{\n  \"db_password\": 'old-Жы€'\n}\n"]);
    const r = await run([process.execPath, BIN, "secrets", "edit", "-c", s.cfg], {
      env: ed.env,
      input: "",
      allowFailure: true,
    });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain("--> secrets.json:2:18");
    expect(r.stderr).toContain("a single quote");
    expect(leaked(r.stderr + r.stdout)).toEqual([]);
    expect(ed.log()).toHaveLength(1);
    expect(readFileSync(s.store)).toEqual(before);
    expect(readdirSync(s.tmpdir)).toEqual([]);
  });
});

describe("init on a terminal", () => {
  const QUESTIONS = [
    "domain",
    "ACME email",
    "server type",
    "location",
    "image (",
    "SSH public key",
    "backup time",
    "age public key",
    "backup target",
    "Floating IP",
  ];
  const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";

  it("shows what is typed (Backspace too), takes defaults on Enter, and writes the answers", async () => {
    const s = await stack();
    mkdirSync(join(s.dir, ".ssh"));
    writeFileSync(join(s.dir, ".ssh", "id_ed25519.pub"), KEY + "\n");
    const cfg = join(s.dir, "new", "firstboot.yaml");
    mkdirSync(join(s.dir, "new"));
    const keys = [
      { wait: "stack name: [app]" },
      { type: "shoq\x7fp\r" },
      ...QUESTIONS.flatMap((q) => [{ wait: q }, { type: "\r" }]),
    ];
    const r = await inPty([process.execPath, BIN, "init", cfg], keys, s);
    expect(r.missed, r.output).toBeUndefined();
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("shoq\b \bp");
    expect(readFileSync(cfg, "utf8")).toMatch(/^name: shop$/m);
    expect(readFileSync(cfg, "utf8")).toContain(KEY);
  });

  it("Ctrl-C at a question ends with 130 and writes no file", async () => {
    const s = await stack();
    mkdirSync(join(s.dir, "new"));
    const argv = [process.execPath, BIN, "init", join(s.dir, "new", "firstboot.yaml")];
    const keys = [{ wait: "stack name: [app]" }, { type: "sh\r" }, { wait: "domain" }, { type: "\x03" }];
    const r = await inPty(argv, keys, s);
    expect(r.code, r.output).toBe(130);
    expect(readdirSync(join(s.dir, "new"))).toEqual([]);
  });

  it("without an identity, asks no public key, makes the identity (keygen) and encrypts backups to it", async () => {
    const s = await stack();
    mkdirSync(join(s.dir, "new"));
    const identity = join(s.dir, "none", "identity.txt");
    const keys = [
      ...["stack name", ...QUESTIONS.slice(0, 5)].flatMap((q) => [{ wait: q }, { type: "\r" }]),
      { wait: "SSH public key" },
      { type: KEY + "\r" },
      ...["backup time", "backup target", "Floating IP"].flatMap((q) => [{ wait: q }, { type: "\r" }]),
    ];
    const env = { ...s.env, FIRSTBOOT_IDENTITY: identity };
    const r = await inPty([process.execPath, BIN, "init", join(s.dir, "new", "firstboot.yaml")], keys, { ...s, env });
    expect(r.missed, r.output).toBeUndefined();
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain("age public key");
    const recipient = /made one at \S+ \(mode 0600\), public key (age1[a-z0-9]+)/.exec(r.output)?.[1];
    expect(recipient, r.output).toBeDefined();
    expect(readFileSync(join(s.dir, "new", "firstboot.yaml"), "utf8")).toContain(`- ${recipient}\n`);
  });

  /** Type `wrong`, see validate's words for it, get the question again, answer `right`. */
  const refused = (question: string, wrong: string, reason: string, right: string) => [
    { wait: question },
    { type: wrong + "\r" },
    { wait: reason },
    { wait: question },
    { type: right + "\r" },
  ];

  it("refuses each wrong answer on the spot with validate's reason, asks again, and the result validates", async () => {
    const s = await stack();
    const dir = join(s.dir, "own");
    mkdirSync(dir);
    writeFileSync(join(dir, "compose.yaml"), OWN_COMPOSE);
    const keys = [
      ...refused("stack name: [app]", "Bad Name", "`Bad Name` must be 1-32 lower-case letters", "shop"),
      ...refused("domain", "not a domain", "`not a domain` is not a domain name", "shop.example.com"),
      ...refused("ACME email", "me@", "`me@` is not an email address", "me@example.com"),
      ...refused("server type: [cx23]", "big", "`big` is not a Hetzner server type", ""),
      ...refused("location: [nbg1]", "mars", "`mars` must be one of: fsn1, nbg1", "fsn1"),
      { wait: "image (" },
      { type: "\r" },
      ...refused("SSH public key:", "", "an empty answer is not an OpenSSH public key", KEY),
      ...refused("backup time", "3am", "`3am` is not a time or a systemd calendar expression", "04:30"),
      { wait: "age public key" },
      { type: "\r" },
      ...refused("backup target", "ftp", "`ftp` is not a backup target", "s3"),
      ...refused("S3 endpoint", "nope", "`nope` is not a URL", "https://fsn1.your-objectstorage.com"),
      ...refused("S3 bucket", "Shop", "`Shop` is not an S3 bucket name", "shop-backups"),
      { wait: "S3 region" },
      { type: "\r" },
      ...refused("Floating IP,", "maybe", "`maybe` is not yes or no", "y"),
      ...refused("Floating IP name: [shop-ip]", "-ip", "`-ip` is not a Floating IP name", ""),
      ...refused("Floating IP address", "1.2.3", "`1.2.3` is not a Floating IP address", "203.0.113.7"),
      { wait: "secret db_password: generate" },
      { type: "\r" },
      { wait: "secret api_token" },
      { type: "type\r" },
      { wait: "value for api_token (typing is hidden):" },
      { type: TYPED + "\r" },
      ...refused("secret backup_access_key_id", "generate", "cannot be generated", "type"),
      { wait: "value for backup_access_key_id (typing is hidden):" },
      { type: "\r" },
      { wait: "no value given for backup_access_key_id" },
      { wait: "secret backup_access_key_id" },
      { type: "type\r" },
      { wait: "value for backup_access_key_id (typing is hidden):" },
      { type: "AKIAЖыЯ\r" },
      ...refused("secret backup_secret_access_key", "env:NO_SUCH", "NO_SUCH is not set", "env:S3_SECRET"),
    ];
    const env = { ...s.env, S3_SECRET: "s3-secret-value" };
    const r = await inPty([process.execPath, BIN, "init"], keys, { cwd: dir, env });
    expect(r.missed, r.output).toBeUndefined();
    expect(r.code, r.output).toBe(0);
    expect(leaked(r.output)).toEqual([]);
    expect(r.output).not.toContain("s3-secret-value");
    const store = { ...s, store: join(dir, "secrets.age") };
    const stored = await decrypt(store);
    expect(stored).toMatchObject({
      api_token: SECRET,
      backup_access_key_id: "AKIAЖыЯ",
      backup_secret_access_key: "s3-secret-value",
    });
    expect(stored.db_password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cfg = readFileSync(join(dir, "firstboot.yaml"), "utf8");
    expect(cfg).toContain("name: shop-ip\n    ip: 203.0.113.7");
    expect(cfg).toContain("schedule: 04:30");
    const v = await run([process.execPath, BIN, "validate"], { cwd: dir, env: s.env, allowFailure: true });
    expect(v.exitCode, v.stderr).toBe(0);
  });
});

/** A user's own compose file: volumes, a health check, a published port, variables. */
const OWN_COMPOSE = `services:
  web:
    image: ghcr.io/me/web:1.2.0
    ports: ["8080:8080"]
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
      API_TOKEN: \${API_TOKEN}
      SITE_DOMAIN: \${SITE_DOMAIN}
    volumes: [uploads:/srv/uploads]
    healthcheck: { test: ["CMD", "true"] }
  db:
    image: postgres:16.4
    environment: { POSTGRES_PASSWORD: "\${DB_PASSWORD}" }
    volumes: [pg:/var/lib/postgresql/data]
volumes:
  uploads:
  pg:
`;
