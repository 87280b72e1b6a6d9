// The CLI as users run it (the built bin/firstboot.js): exit codes, files written 0600 and
// atomically, nothing written on bad input, secrets kept out of redacted output.
import { existsSync, readFileSync, statSync, writeFileSync, cpSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { DEMO_IDENTITY, filesOf, ROOT, testEnv, tmp } from "../helpers/render.js";

const BIN = join(ROOT, "bin", "firstboot.js");
const SELFMX = join(ROOT, "examples", "selfmx", "firstboot.yaml");
const fb = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  run(["node", BIN, ...args], { allowFailure: true, cwd: opts.cwd, env: opts.env ?? testEnv(), input: opts.input });

describe("firstboot render", () => {
  it("writes the user-data mode 0600 and prints nothing on stdout", async () => {
    const out = join(tmp(), "user-data.yaml");
    const r = await fb(["render", SELFMX, "-o", out]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, "utf8").startsWith("#cloud-config\n")).toBe(true);
  });

  it("--redact keeps every secret out of the output", async () => {
    const r = await fb(["render", SELFMX, "--redact"]);
    expect(r.exitCode).toBe(0);
    const real = await fb(["render", SELFMX]);
    expect(real.stdout).not.toBe(r.stdout);
    for (const secret of [
      "AKIAIOSFODNN7EXAMPLE",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "BEGIN OPENSSH PRIVATE KEY",
    ]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
  });

  it("exits 2 on bad input, leaves an existing output file untouched and creates none", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "firstboot.yaml"), "version: 1\nname: Bad Name\n");
    const out = join(dir, "out.yaml");
    const r = await fb(["render", "firstboot.yaml", "-o", out], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error[name]");
    expect(r.stderr).toContain("--> firstboot.yaml:2:7");
    expect(existsSync(out)).toBe(false);
    writeFileSync(out, "previous");
    expect((await fb(["render", "firstboot.yaml", "-o", out], { cwd: dir })).exitCode).toBe(2);
    expect(readFileSync(out, "utf8")).toBe("previous");
  });

  it("exits 2 without the identity, naming the secrets file and what to do", async () => {
    const r = await fb(["render", SELFMX], { env: { ...process.env, FIRSTBOOT_IDENTITY: join(tmp(), "missing.txt") } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error[secrets.file]: cannot decrypt secrets.age");
    expect(r.stderr).toContain("firstboot keygen");
  });
});

describe("other verbs", () => {
  it("validate says ok with the size; unknown verbs and options are bad input", async () => {
    const ok = await fb(["validate", SELFMX]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/ok \(user-data \d+ bytes of 32768\)/);
    expect((await fb(["frobnicate"])).exitCode).toBe(2);
    expect((await fb(["render", SELFMX, "--no-such-flag"])).exitCode).toBe(2);
  });

  it("size lists every section and the total under the limit", async () => {
    const r = await fb(["size", SELFMX, "--json"]);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout) as { bytes: number; sections: { name: string; bytes: number }[] };
    expect(j.sections.map((s) => s.name)).toEqual(
      expect.arrayContaining(["stack", "backup", "docker", "firewall", "ssh", "cloud-config"]),
    );
    expect(j.sections.reduce((n, s) => n + s.bytes, 0)).toBe(j.bytes);
    expect(j.bytes).toBeLessThan(32_768);
  });

  it.each([
    "init",
    "validate",
    "render",
    "size",
    "schema",
    "keygen",
    "secrets",
    "preview",
    "backup",
    "build-image",
    "up",
    "replace",
    "rollback",
    "gc",
    "images",
    "fake-api",
    "local-cloud",
  ])("%s --help shows an example", async (verb) => {
    const r = await fb([verb, "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n.*firstboot /);
  });

  it("init writes a config that validates, and never overwrites without --force", async () => {
    const dir = tmp();
    const key = readFileSync(join(ROOT, "examples", "selfmx", "firstboot.yaml"), "utf8").match(/ssh-ed25519 \S+/)![0];
    const args = [
      "init",
      "--name",
      "shop",
      "--domain",
      "shop.example.com",
      "--email",
      "me@example.com",
      "--ssh-key",
      `${key} me@laptop`,
      "--recipient",
      "age10wr6nhtcqsfnremppt6jsn76p0p9wx5yw9sd5rdgktuhmyhcddasrtktt4",
      "--yes",
    ];
    expect((await fb(args, { cwd: dir })).exitCode).toBe(0);
    for (const f of ["firstboot.yaml", "compose.yaml", "Caddyfile"]) expect(existsSync(join(dir, f))).toBe(true);
    const v = await fb(["validate"], { cwd: dir, env: { ...testEnv(), PATH: dirname(process.execPath) } });
    // The starter has no backup target (it needs the user's credentials): validate says so.
    expect(v.stderr.split("\n").filter((l) => /^(warning|error|note)/.test(l))).toEqual([
      "warning[backup]: backups have no off-server target: the archives stay on this server's disk and die with it",
      "note: `docker compose config` did not run (no docker with compose v2 here); firstboot's own compose checks passed",
    ]);
    expect(v.exitCode).toBe(0);
    const again = await fb(args, { cwd: dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("already exists; pass --force");
    expect((await fb([...args, "--force"], { cwd: dir })).exitCode).toBe(0);
  });

  it("init follows the user's own compose file: its volumes backed up, its ports opened, its health checks", async () => {
    const dir = tmp();
    const key = readFileSync(join(ROOT, "examples", "selfmx", "firstboot.yaml"), "utf8").match(/ssh-ed25519 \S+/)![0];
    const own = `services:
  web:
    image: ghcr.io/me/web:1.2.0
    ports: ["8080:8080"]
    volumes: [uploads:/srv/uploads, ./nginx.conf:/etc/nginx/nginx.conf:ro]
    healthcheck: { test: ["CMD", "true"] }
  db:
    image: postgres:16.4
    volumes: [pg:/var/lib/postgresql/data]
volumes:
  uploads:
  pg:
  shared: { external: true }
`;
    writeFileSync(join(dir, "docker-compose.yml"), own);
    writeFileSync(join(dir, "nginx.conf"), "events {}\n");
    const args = [
      "init",
      "--ssh-key",
      `${key} me@laptop`,
      "--recipient",
      "age10wr6nhtcqsfnremppt6jsn76p0p9wx5yw9sd5rdgktuhmyhcddasrtktt4",
      "--yes",
    ];
    expect((await fb(args, { cwd: dir })).exitCode).toBe(0);
    expect(existsSync(join(dir, "compose.yaml")) || existsSync(join(dir, "Caddyfile"))).toBe(false);
    const cfg = readFileSync(join(dir, "firstboot.yaml"), "utf8");
    expect(cfg).toContain("compose: ./docker-compose.yml");
    expect(cfg).toMatch(
      /postgres:\n\s+- service: db\n\s+database: postgres\n\s+user: postgres\n\s+volumes:\n\s+- uploads\n/,
    );
    const v = await fb(["validate"], { cwd: dir, env: { ...testEnv(), PATH: dirname(process.execPath) } });
    expect(v.exitCode, v.stderr).toBe(0);
    const r = await fb(["render", "-o", join(dir, "out.yaml")], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const shipped = filesOf(readFileSync(join(dir, "out.yaml"), "utf8")).find((f) => f.path === "/opt/app/nginx.conf");
    expect(shipped?.content).toBe("events {}\n");
  });

  it("schema prints a JSON Schema that accepts every example and rejects unknown keys", async () => {
    const r = await fb(["schema"]);
    expect(r.exitCode).toBe(0);
    const Ajv2020 = (await import("ajv/dist/2020.js")).default as unknown as typeof import("ajv").default;
    const { parse } = await import("yaml");
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(r.stdout));
    const selfmx = parse(readFileSync(SELFMX, "utf8"));
    expect(validate(selfmx), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...selfmx, surprise: 1 })).toBe(false);
  });
});

describe("secrets and keygen", () => {
  it("keygen writes a 0600 X25519 identity; secrets set/list round-trip; the real age CLI decrypts the store", async () => {
    const dir = tmp();
    const id = join(dir, "id.txt");
    const k = await fb(["keygen", "-o", id]);
    expect(k.exitCode).toBe(0);
    expect(statSync(id).mode & 0o777).toBe(0o600);
    expect(k.stdout).toMatch(/public key: age1[a-z0-9]{58}/);
    expect((await fb(["keygen", "-o", id])).exitCode).toBe(2);
    cpSync(join(ROOT, "examples", "selfmx"), join(dir, "stack"), { recursive: true });
    const env = { ...process.env, FIRSTBOOT_IDENTITY: id };
    const cfg = join(dir, "stack", "firstboot.yaml");
    const store = join(dir, "stack", "secrets.age");
    const { rmSync } = await import("node:fs");
    rmSync(store);
    const value = `it's "quoted" $HOME \`x\` \\ ünï`;
    expect((await fb(["secrets", "set", "db_password", "-c", cfg], { env, input: value })).exitCode).toBe(0);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect((await fb(["secrets", "list", "-c", cfg], { env })).stdout).toBe("db_password\n");
    const dec = await run(["age", "--decrypt", "-i", id, store]);
    expect(JSON.parse(dec.stdout)).toEqual({ db_password: value });
    expect((await fb(["secrets", "set", "Bad-Name", "-c", cfg], { env, input: "x" })).exitCode).toBe(2);
  });

  it("reads a store the real age CLI encrypted", async () => {
    const dir = tmp();
    const recipient = readFileSync(DEMO_IDENTITY, "utf8").match(/public key: (age1\S+)/)![1]!;
    const store = join(dir, "secrets.age");
    await run(["age", "--encrypt", "-r", recipient, "-o", store], { input: JSON.stringify({ token: "from-age-cli" }) });
    const { readStore } = await import("../../src/secrets/store.js");
    expect(await readStore(store, DEMO_IDENTITY)).toEqual({ token: "from-age-cli" });
  });
});
