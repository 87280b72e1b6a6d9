// README "Your first deployment", run as a newcomer would: every command line of the section, in
// order, in one shell, in a folder holding a small compose app, with the built CLI on PATH as
// `firstboot`, a HOME of its own, and the real hcloud CLI talking to the fake Hetzner API. Lines
// that need a real server, Storage Box, DNS or VM are listed below with the reason (their verbs
// and flags are checked by readme.test.ts; `up` and `status` run in test/e2e/local-cloud.e2e.ts).
// A new line in the section runs unless it is listed here, so it cannot go untested.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { run, type RunResult } from "../src/exec.js";
import { startFakeApi, type FakeApi } from "../src/fake-cloud/index.js";
import { floatingIpSchema } from "../src/config/schema-docker.js";
import { backupSchema } from "../src/config/schema-backup.js";
import { readImageDef } from "../src/deploy/from-config.js";
import { BIN, requireBuild } from "./helpers/cli.js";
import { tmp, writeTree } from "./helpers/render.js";
import { bare, commandLines, fenced, sectionText } from "./helpers/readme-section.js";

/** Lines that cannot run here, by their text without the trailing comment. */
const NOT_RUN: Record<string, string> = {
  "hcloud context create shop": "interactive (asks for the token); the export line above is run instead",
  "dig +short A shop.example.com": "needs the real DNS record",
  "ssh -p 23 u123456@u123456.your-storagebox.de install-ssh-key < storagebox_key.pub": "needs a real Storage Box",
  "firstboot up": "waits for the first boot over SSH: run by test/e2e/local-cloud.e2e.ts (the README's own line)",
  "firstboot status": "reads the servers over SSH: run by test/e2e/local-cloud.e2e.ts (the README's own line)",
  "ssh deploy@shop.example.com sudo tail -f /var/log/cloud-init-output.log": "needs a real server",
  "ssh deploy@shop.example.com sudo cloud-init status --wait --long": "needs a real server",
  "ssh deploy@shop.example.com sudo cat /var/lib/firstboot/status.json": "needs a real server",
  "firstboot backup list": "reads the real backup target (the Storage Box)",
  "firstboot backup verify": "pulls the newest backup from the real backup target",
  "firstboot preview restore.yaml": "boots a VM and reads the real backup target (make e2e boots restores)",
  "firstboot build-image shop-image.yaml": "boots a server and waits for it over SSH",
  "firstboot replace --dry-run": "plans from a server made by `firstboot up` (its labels)",
  "firstboot replace": "replaces a running server over SSH",
  "firstboot rollback": "starts a previous server made by `firstboot replace`",
};

/** README placeholders and what the test puts in their place (the rest are used as written). */
const PLACEHOLDERS: [string, string][] = [["your-read-write-token", "readme-test-token"]];

/** What the newcomer has before step 1: a compose app (Postgres password from ${DB_PASSWORD}). */
const COMPOSE = `services:
  app:
    image: ghcr.io/example/shop:2.3.1
    restart: unless-stopped
    environment:
      DATABASE_URL: postgres://shop:\${DB_PASSWORD}@db/shop
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/health"]
    depends_on: [db]
  db:
    image: postgres:16.4
    restart: unless-stopped
    environment: { POSTGRES_USER: shop, POSTGRES_PASSWORD: "\${DB_PASSWORD}" }
    volumes: [db:/var/lib/postgresql/data]
  caddy:
    image: caddy:2.8.4
    restart: unless-stopped
    environment: { DOMAIN: "\${DOMAIN}", ACME_EMAIL: "\${ACME_EMAIL}" }
    ports: ["80:80", "443:443", "443:443/udp"]
    volumes: [./Caddyfile:/etc/caddy/Caddyfile:ro, caddy_data:/data]
volumes: { db: {}, caddy_data: {} }
`;
const CADDYFILE = "{\n\temail {$ACME_EMAIL}\n}\n\n{$DOMAIN} {\n\treverse_proxy app:8080\n}\n";

let api: FakeApi;
let root: string;
let walk: RunResult;
const app = () => join(root, "shop");
const home = () => join(root, "home");

/** The shell script: each line echoed (so a failure names it), then run; listed lines are skipped. */
function script(lines: string[]): string {
  const body = lines.map((line) => {
    const key = bare(line);
    if (NOT_RUN[key]) return `# not run: ${key}`;
    let cmd = line;
    for (const [from, to] of PLACEHOLDERS) cmd = cmd.replaceAll(from, to);
    return `printf '+ %s\\n' '${cmd.replaceAll("'", "'\\''")}' >&2\n${cmd}`;
  });
  return ["set -euo pipefail", ...body, ""].join("\n");
}

beforeAll(async () => {
  requireBuild();
  api = await startFakeApi({ durations: {} });
  root = tmp("fb-readme-walk-");
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "firstboot"), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(bin, "firstboot"), 0o755);
  mkdirSync(join(home(), ".ssh"), { recursive: true });
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "me@laptop", "-f", join(home(), ".ssh/id_ed25519")]);
  writeTree(app(), { "compose.yaml": COMPOSE, Caddyfile: CADDYFILE });
  writeFileSync(join(root, "walk.sh"), script(commandLines()));
  const env = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home(),
    TMPDIR: root,
    FIRSTBOOT_IDENTITY: join(home(), ".config/firstboot/identity.txt"),
    HCLOUD_ENDPOINT: api.endpoint,
    NO_COLOR: "1",
  };
  walk = await run(["bash", join(root, "walk.sh")], { cwd: app(), env, allowFailure: true, timeoutMs: 120_000 });
}, 180_000);
afterAll(async () => api?.close());

describe("README: Your first deployment", () => {
  it("runs every line that can run here, in order, without a failure", () => {
    expect(walk.exitCode, `${walk.stderr}\n${walk.stdout}`).toBe(0);
    const ran = (walk.stderr.match(/^\+ /gm) ?? []).length;
    const listed = commandLines().filter((l) => NOT_RUN[bare(l)]).length;
    expect(ran + listed).toBe(commandLines().length);
  });

  it("lists only lines the section has", () => {
    const lines = new Set(commandLines().map(bare));
    for (const key of Object.keys(NOT_RUN)) expect(lines, key).toContain(key);
    for (const [from] of PLACEHOLDERS) expect(sectionText()).toContain(from);
  });

  it("leaves what each step promises: identity, Floating IP, server with the rendered user-data, secrets", async () => {
    expect(existsSync(join(home(), ".config/firstboot/identity.txt"))).toBe(true);
    const config = parse(readFileSync(join(app(), "firstboot.yaml"), "utf8")) as { name: string };
    expect(config.name).toBe("shop");
    const [fip] = [...api.state.floatingIps.values()];
    const server = [...api.state.servers.values()].find((s) => s.name === "shop-1");
    expect([fip?.name, fip?.description, fip?.home_location.name]).toEqual(["shop-ip", "shop.example.com", "nbg1"]);
    expect(api.state.userData.get(server!.id)).toBe(readFileSync(join(app(), "user-data.yaml"), "utf8"));
    expect(fip?.server).toBe(server?.id);
    const identity = join(home(), ".config/firstboot/identity.txt");
    const env = { PATH: process.env.PATH ?? "", HOME: home(), FIRSTBOOT_IDENTITY: identity, NO_COLOR: "1" };
    const secrets = await run(["node", BIN, "secrets", "list"], { cwd: app(), env });
    const want = ["backup_key", "db_password", "restore_identity"];
    expect(secrets.stdout.trim().split("\n")).toEqual(want);
    expect(existsSync(join(app(), "storagebox_key")), "the private key only in secrets.age").toBe(false);
    expect(await readImageDef(join(app(), "shop-image.yaml"))).toEqual({ name: "shop", config: "./firstboot.yaml" });
    expect(readFileSync(join(app(), "restore.yaml"), "utf8")).toMatch(
      /^backup:\n {2}restore_identity: \{ secret: restore_identity \}\n[\s\S]*^restore: latest\n$/m,
    );
  });

  it("has config fragments with the schema's own keys", () => {
    const [fip, target] = fenced(sectionText(), "yaml").map((b) => parse(b) as Record<string, Record<string, unknown>>);
    expect(floatingIpSchema.safeParse(fip?.server?.floating_ip).error).toBeUndefined();
    expect(backupSchema.shape.target.safeParse(target?.backup?.target).error).toBeUndefined();
  });

  it("names real hcloud commands in the lines it cannot run", async () => {
    const hcloud = Object.keys(NOT_RUN).filter((l) => l.startsWith("hcloud "));
    for (const line of hcloud) {
      const words = line.split(/\s+/).filter((w) => /^[a-z-]+$/.test(w));
      const help = await run([...words.slice(0, 3), "--help"], { allowFailure: true });
      expect(help.exitCode, line).toBe(0);
    }
  });
});
