// The battery's runner: each case is a valid base stack (config, compose file, one stack file)
// plus a mutation; the real built CLI renders it, and the outcome is judged the way the reviewer
// does: refused = exit 2 with rustc-style diagnostics and nothing written; accepted = exit 0 and
// every byte the user gave reaches the server (read back by the `yaml` package and PyYAML, the
// .env by compose's own parser).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import { run } from "../../src/exec.js";
import { readers } from "../helpers/cloud-init-files.js";
import { expectComposeReads } from "../helpers/compose-dotenv.js";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "bin/firstboot.js");

export const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq ops@laptop";
export const AGE = "age10wr6nhtcqsfnremppt6jsn76p0p9wx5yw9sd5rdgktuhmyhcddasrtktt4";

/** The secrets every case can reference, passed as FIRSTBOOT_SECRET_<NAME>. */
export const SECRETS: Record<string, string> = {
  db_password: "pa$$ 'w\"ord` \\",
  s3_key: "AKIA123",
  s3_secret: "x/y+z",
};

export type Cfg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function baseConfig(): Cfg {
  return {
    version: 1,
    name: "battery",
    server: { type: "cx23", location: "nbg1", image: "ubuntu-24.04", ssh_keys: [KEY] },
    hardening: { firewall: { allow: ["80/tcp", "443/tcp"] } },
    stack: {
      compose: "./compose.yaml",
      files: { Caddyfile: "./Caddyfile" },
      env: { DOMAIN: "example.com", DB_PASSWORD: { secret: "db_password" } },
      health: { services: ["web"] },
    },
  };
}

export const BASE_COMPOSE = `services:
  web:
    image: caddy:2.8.4-alpine
    ports: ["80:80", "443:443"]
    environment:
      DOMAIN: \${DOMAIN}
    volumes:
      - ./Caddyfile:/etc/caddy/Caddyfile:ro
      - data:/data
  db:
    image: postgres:16.6-alpine
    environment:
      POSTGRES_PASSWORD: \${DB_PASSWORD}
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  data:
  pgdata:
`;

export const BASE_CADDYFILE = "{$DOMAIN} {\n\treverse_proxy web:80\n}\n";

export type Expect = "accepted" | { refused: string };

export interface Case {
  name: string;
  /** Mutate the base config object (stringified with `yaml` afterwards). */
  patch?: (c: Cfg) => void;
  /** Replace the firstboot.yaml text (after patch and stringify). */
  text?: (t: string) => string | Buffer;
  compose?: string | ((t: string) => string);
  /** Extra files (relative to the config dir). */
  files?: Record<string, string | Buffer>;
  /** Symlinks: link path (relative) -> target. */
  links?: Record<string, string>;
  dirs?: string[];
  expect: Expect;
}

export interface Outcome {
  dir: string;
  out: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

function cliEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { FIRSTBOOT_IDENTITY: "/nonexistent", NO_COLOR: "1" };
  for (const k of Object.keys(process.env)) if (k.startsWith("FIRSTBOOT_")) env[k] = undefined;
  for (const [k, v] of Object.entries(SECRETS)) env[`FIRSTBOOT_SECRET_${k.toUpperCase()}`] = v;
  return env;
}

function write(dir: string, rel: string, content: string | Buffer): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

/** Lay the case out in a fresh folder under `root` and run `firstboot render` on it. */
export async function runCase(root: string, c: Case, i: number): Promise<Outcome> {
  const dir = mkdtempSync(join(root, `c${i}-`));
  const cfg = baseConfig();
  c.patch?.(cfg);
  const text = stringify(cfg);
  write(dir, "firstboot.yaml", c.text ? c.text(text) : text);
  const compose = typeof c.compose === "function" ? c.compose(BASE_COMPOSE) : (c.compose ?? BASE_COMPOSE);
  write(dir, "compose.yaml", compose);
  write(dir, "Caddyfile", BASE_CADDYFILE);
  for (const [rel, content] of Object.entries(c.files ?? {})) write(dir, rel, content);
  for (const d of c.dirs ?? []) mkdirSync(join(dir, d), { recursive: true });
  for (const [link, target] of Object.entries(c.links ?? {})) symlinkSync(target, join(dir, link));
  mkdirSync(join(dir, "out"));
  const out = join(dir, "out", "user-data.yaml");
  const r = await run([process.execPath, CLI, "render", "firstboot.yaml", "-o", out], {
    cwd: dir,
    env: cliEnv(),
    allowFailure: true,
    timeoutMs: 60_000,
  });
  return { dir, out, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function expectRefused(o: Outcome, prefix: string): void {
  const why = o.stderr.slice(0, 3000);
  expect(o.exitCode, why).toBe(2);
  expect(o.stderr, "no stack trace").not.toMatch(/^ {4}at |TypeError|RangeError|ReferenceError/m);
  expect(o.stderr).toMatch(new RegExp(`^error\\[${escape(prefix)}[^\\]]*\\]`, "m"));
  expect(o.stderr).toMatch(/^ *--> \S+:\d+:\d+$/m);
  expect(o.stderr).toMatch(/^ *= help: \S/m);
  expect(o.stdout).toBe("");
  expect(readdirSync(join(o.dir, "out")), "nothing written next to -o").toEqual([]);
}

/** The values compose should read from the .env: the config's env with secrets resolved. */
function expectedEnv(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, typeof v === "string" ? v : SECRETS[(v as { secret: string }).secret]!]),
  );
}

export async function expectAccepted(o: Outcome): Promise<void> {
  expect(o.exitCode, o.stderr.slice(0, 3000)).toBe(0);
  expect(o.stderr).not.toMatch(/^ {4}at |TypeError|RangeError/m);
  expect(existsSync(o.out)).toBe(true);
  const doc = readFileSync(o.out, "utf8");
  // What the CLI read: the config as written (CRLF, BOM and all), parsed by `yaml`.
  const cfg = parse(readFileSync(join(o.dir, "firstboot.yaml"), "utf8").replace(/^\uFEFF/, "")) as Cfg;
  const stack = `/opt/${cfg.name as string}`;
  const dotenvs = new Set<string>();
  for (const read of Object.values(readers)) {
    const files = await read(doc);
    const compose = readFileSync(join(o.dir, cfg.stack.compose as string));
    expect(files.get(`${stack}/compose.yaml`)?.toString("hex"), "compose.yaml").toBe(compose.toString("hex"));
    for (const [dest, src] of Object.entries((cfg.stack.files ?? {}) as Record<string, string>)) {
      const want = readFileSync(join(o.dir, src));
      expect(files.get(`${stack}/${dest}`)?.toString("hex"), dest).toBe(want.toString("hex"));
    }
    dotenvs.add(files.get(`${stack}/.env`)?.toString("hex") ?? "");
  }
  // Both readers give the same .env bytes, so compose's parser reads them once (CPU is scarce).
  expect(dotenvs.size, ".env differs between readers").toBe(1);
  const env = expectedEnv((cfg.stack.env ?? {}) as Record<string, unknown>);
  if (Object.keys(env).length) await expectComposeReads(Buffer.from([...dotenvs][0]!, "hex"), env);
}
