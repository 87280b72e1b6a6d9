// `firstboot init` without a terminal, as the built CLI: every bad flag reported at once with
// nothing written, and several answer sets whose config the real `validate` (and the real age
// CLI, for the stored secrets) then accepts.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { ROOT, tmp } from "../helpers/render.js";

const BIN = join(ROOT, "bin", "firstboot.js");
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";

/** A clean HOME with no identity yet; the CLI runs in `dir`, with no docker on PATH. */
function home(): { dir: string; identity: string; env: Record<string, string> } {
  const base = tmp("firstboot-init-");
  const dir = join(base, "stack");
  execFileSync("mkdir", ["-p", dir]);
  const identity = join(base, "id", "identity.txt");
  return { dir, identity, env: { PATH: dirname(process.execPath), HOME: base, FIRSTBOOT_IDENTITY: identity } };
}

const fb = (h: ReturnType<typeof home>, args: string[], env: Record<string, string> = {}) =>
  run([process.execPath, BIN, ...args], { cwd: h.dir, env: { ...h.env, ...env }, input: "", allowFailure: true });

const validate = async (h: ReturnType<typeof home>) => {
  const v = await fb(h, ["validate"]);
  return { code: v.exitCode, errors: v.stderr.split("\n").filter((l) => /^error/.test(l)) };
};

const OWN = `services:
  web:
    image: ghcr.io/me/web:1.2.0
    ports: ["8080:8080", "127.0.0.1:9000:9000"]
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
      SMTP_TOKEN: \${SMTP_TOKEN}
      SITE_DOMAIN: \${SITE_DOMAIN}
      ADMIN_EMAIL: \${ADMIN_EMAIL}
      LOG_LEVEL: \${LOG_LEVEL:-info}
    volumes: [uploads:/srv/uploads]
    healthcheck: { test: ["CMD", "true"] }
  db:
    image: postgres:16.4
    environment: { POSTGRES_PASSWORD: "\${DB_PASSWORD}" }
    volumes: [pg:/var/lib/postgresql/data]
    healthcheck: { test: ["CMD", "pg_isready"] }
volumes:
  uploads:
  pg:
  shared: { external: true }
`;

describe("init without a terminal", () => {
  it("reports every bad flag at once, naming each flag; exit 2 and nothing written", async () => {
    const h = home();
    const r = await fb(h, [
      "init",
      ...["--name", "Bad Name", "--domain", "a b", "--email", "me@", "--type", "big", "--location", "mars"],
      ...["--ssh-key", "", "--backup-time", "3am", "--floating-ip=-ip", "--backup-target", "ftp://x/y"],
      ...["--secret", "nonsense", "--secret", "api=generate", "--no-keygen", "--yes"],
    ]);
    expect(r.exitCode, r.stderr).toBe(2);
    const named = r.stderr.split("\n").filter((l) => l.startsWith("error["));
    expect(named).toEqual([
      "error[--backup-target]: `ftp://x/y` is not a backup target",
      "error[--secret]: `nonsense` is not NAME=generate, NAME=env:VAR or NAME=file:PATH",
      "error[--name]: `Bad Name` must be 1-32 lower-case letters, digits or dashes, starting with a letter",
      "error[--domain]: `a b` is not a domain name",
      "error[--email]: `me@` is not an email address",
      "error[--type]: `big` is not a Hetzner server type",
      "error[--location]: `mars` must be one of: fsn1, nbg1, hel1, ash, hil, sin",
      "error[--ssh-key]: an empty answer is not an OpenSSH public key",
      "error[--backup-time]: `3am` is not a time or a systemd calendar expression",
      "error[--floating-ip]: `-ip` is not a Floating IP name",
      "error[--floating-ip-address]: an empty answer is not an address: the Floating IP -ip needs its own",
      "error[--secret]: no secret `api` is needed here",
      `error[--no-keygen]: there is no age identity at ${h.identity}, and --no-keygen forbids making one`,
    ]);
    expect(r.stderr).toContain("13 problems found; nothing was written");
    expect(readdirSync(h.dir)).toEqual([]);
    expect(existsSync(h.identity)).toBe(false);
  });

  it("the starter: makes the identity it needs and says so; the recipient is its key; validate passes", async () => {
    const h = home();
    const r = await fb(h, ["init", "--ssh-key", KEY, "--domain", "shop.example.com", "--yes"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`no age identity yet: made one at ${h.identity} (mode 0600), public key age1`);
    expect(statSync(h.identity).mode & 0o777).toBe(0o600);
    const recipient = /public key (age1[a-z0-9]+)/.exec(r.stderr)![1]!;
    const cfg = readFileSync(join(h.dir, "firstboot.yaml"), "utf8");
    expect(cfg).toContain(`encrypt_to:\n    - ${recipient}\n`);
    expect(cfg).toMatch(/volumes:\n\s+- app_data\n\s+- caddy_data\n\s+- caddy_config\n/);
    expect(cfg).not.toContain("floating_ip");
    expect(await validate(h)).toEqual({ code: 0, errors: [] });
  });

  it("a user's compose file, an SFTP target and a Floating IP: its volumes, checks, ports; secrets stored", async () => {
    const h = home();
    writeFileSync(join(h.dir, "compose.yaml"), OWN);
    const keyFile = join(h.dir, "..", "storagebox");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
    const r = await fb(
      h,
      [
        ...["init", "--name", "shop", "--ssh-key", KEY, "--domain", "shop.example.com", "--email", "me@example.com"],
        ...["--backup-target", "sftp://u123@u123.your-storagebox.de:23/shop", "--secret", `backup_key=file:${keyFile}`],
        ...["--secret", "SMTP_TOKEN=env:TOKEN", "--floating-ip", "shop-ip", "--floating-ip-address", "203.0.113.7"],
      ],
      { TOKEN: "smtp-token-value" },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toContain("smtp-token-value");
    expect(r.stderr).toContain("generated: db_password");
    const cfg = readFileSync(join(h.dir, "firstboot.yaml"), "utf8");
    expect(cfg).toMatch(/floating_ip:\n\s+name: shop-ip\n\s+ip: 203.0.113.7\n/);
    expect(cfg).toMatch(/allow:\n\s+- 8080\/tcp\n(?!\s+- 9000)/);
    expect(cfg).toMatch(/services:\n\s+- web\n\s+- db\n/);
    // The database is dumped (pg_dump), not its files tarred while it runs; `shared` is external.
    expect(cfg).toMatch(
      /postgres:\n\s+- service: db\n\s+database: postgres\n\s+user: postgres\n\s+volumes:\n\s+- uploads\n\s+retention/,
    );
    expect(cfg).toContain("SITE_DOMAIN: shop.example.com\n    ADMIN_EMAIL: me@example.com\n");
    expect(cfg).toMatch(/sftp:\n\s+host: u123.your-storagebox.de\n\s+port: 23\n\s+user: u123\n\s+path: shop\n/);
    const stored = JSON.parse(
      execFileSync("age", ["--decrypt", "-i", h.identity, join(h.dir, "secrets.age")], { encoding: "utf8" }),
    ) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(["backup_key", "db_password", "smtp_token"]);
    expect(stored.smtp_token).toBe("smtp-token-value");
    expect(stored.backup_key).toBe(readFileSync(keyFile, "utf8"));
    expect(await validate(h)).toEqual({ code: 0, errors: [] });
  });

  it("an S3 target without a Floating IP: the keys come from --secret, the store from `secrets set`'s code", async () => {
    const h = home();
    const r = await fb(
      h,
      [
        ...["init", "--ssh-key", KEY, "--no-floating-ip", "--backup-time", "Mon..Fri *-*-* 02:30"],
        ...["--backup-target", "s3://fsn1.your-objectstorage.com/shop-backups/app?region=fsn1"],
        ...["--secret", "backup_access_key_id=env:AK", "--secret", "backup_secret_access_key=env:SK"],
      ],
      { AK: "AKIAEXAMPLE", SK: "secret/key+value" },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const cfg = readFileSync(join(h.dir, "firstboot.yaml"), "utf8");
    expect(cfg).toMatch(
      /s3:\n\s+endpoint: https:\/\/fsn1.your-objectstorage.com\n\s+region: fsn1\n\s+bucket: shop-backups\n\s+path: app\n/,
    );
    expect(cfg).not.toContain("floating_ip");
    const list = await fb(h, ["secrets", "list"]);
    expect(list.stdout).toBe("backup_access_key_id\nbackup_secret_access_key\n");
    expect(await validate(h)).toEqual({ code: 0, errors: [] });
  });

  it("a provider's credential is never invented: a missing or generated backup key is refused", async () => {
    const h = home();
    const r = await fb(h, [
      ...["init", "--ssh-key", KEY, "--backup-target", "sftp://u1@u1.your-storagebox.de/b"],
      ...["--floating-ip", "shop-ip"],
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error[--secret]: secret backup_key has no value");
    expect(r.stderr).toContain("error[--floating-ip-address]");
    const g = await fb(h, [
      "init",
      "--ssh-key",
      KEY,
      "--backup-target",
      "sftp://u1@h/b",
      "--secret",
      "backup_key=generate",
    ]);
    expect(g.stderr).toContain("error[--secret]: backup_key cannot be generated");
    expect(readdirSync(h.dir)).toEqual([]);
  });
});
