// Help texts state the defaults the commands really use: every "(default: …)" in every verb's
// --help is listed here and the ones with a visible effect are checked by running the verb
// (the built CLI, and the Hetzner verbs against the fake API); cac's "(default: true)" beside a
// `--no-x` option (which reads as "not x by default") never shows.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import { cliEnv, fb, openTmp, requireBuild } from "../helpers/cli.js";
import { cliEnvFor, fb as fbIn } from "../deploy/cli-main.js";

/** verb option -> the default its help states. */
const STATED: Record<string, string> = {
  "validate --config": "firstboot.yaml",
  "render --config": "firstboot.yaml",
  "size --config": "firstboot.yaml",
  "secrets --config": "firstboot.yaml",
  "preview --config": "firstboot.yaml",
  "backup --config": "firstboot.yaml",
  "up --config": "firstboot.yaml",
  "replace --config": "firstboot.yaml",
  "rollback --config": "firstboot.yaml",
  "status --config": "firstboot.yaml",
  "recover --config": "firstboot.yaml",
  "keygen --output": "$FIRSTBOOT_IDENTITY, else ~/.config/firstboot/identity.txt",
  "backup --dir": "backups/<name> next to the config",
  "backup --identity": "$FIRSTBOOT_IDENTITY, else the config's secrets.identity",
  "preview --memory": "2048",
  "preview --cpus": "2",
  "preview --timeout": "30",
  "preview --release": "trixie",
  "preview --mirror": "http://deb.debian.org/debian",
  "replace --rollback-window": "24h",
  "rollback --rollback-window": "24h",
  "gc --min-age": "10m",
  "images --keep": "3",
  "fake-api --port": "8787",
  "fake-api --action-ms": "1000",
  "local-cloud --port": "8787",
  "local-cloud --ports": "22,80,443",
  "local-cloud --memory": "2048",
  "local-cloud --cpus": "2",
  "local-cloud --max-hours": "4",
  "init --name": "app",
  "init --domain": "app.example.com",
  "init --email": "admin@example.com",
  "init --type": "cx23",
  "init --location": "nbg1",
  "init --image": "ubuntu-24.04",
  "init --ssh-key": "~/.ssh/id_ed25519.pub",
  "init --backup-time": "03:00",
  "init --backup-target": "none",
  "init --recipient": "the identity's",
};

let home: string;
const helps = new Map<string, string>();
beforeAll(async () => {
  requireBuild();
  home = openTmp();
  const top = (await fb({ args: ["--help"], env: cliEnv(home) })).stdout;
  const verbs = [...top.slice(top.indexOf("Commands:"), top.indexOf("For more info")).matchAll(/^ {2}([a-z-]+)/gm)];
  for (const [, verb] of verbs) helps.set(verb!, (await fb({ args: [verb!, "--help"], env: cliEnv(home) })).stdout);
});

/** The option lines of a help text: `  -c, --config <file>  text`. */
function optionLines(help: string): { long: string; text: string }[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)[^\n]*?  +(.*)$/gm)].map((m) => ({ long: m[1]!, text: m[2]! }));
}

describe("help defaults", () => {
  it("every stated default is listed here (and checked below where it has an effect)", () => {
    expect(helps.size).toBeGreaterThan(15);
    const stated: Record<string, string> = {};
    for (const [verb, help] of helps)
      for (const { long, text } of optionLines(help)) {
        const d = /\(default: (.*?)\)\s*$/.exec(text);
        if (d && long !== "--help") stated[`${verb} ${long}`] = d[1]!;
      }
    expect(stated).toEqual(STATED);
  });

  it("a --no-x option never says (default: true) and says what happens without it", () => {
    const negated = [...helps].flatMap(([verb, help]) =>
      optionLines(help)
        .filter((o) => o.long.startsWith("--no-"))
        .map((o) => ({ verb, ...o })),
    );
    expect(negated.map((o) => `${o.verb} ${o.long}`)).toContain("replace --no-freeze");
    for (const o of negated) {
      expect(o.text).not.toMatch(/\(default: (true|false)\)/);
      expect(o.text).toMatch(/by default/);
    }
  });

  it("keygen writes where its help says: $FIRSTBOOT_IDENTITY, else ~/.config/firstboot/identity.txt", async () => {
    const h = openTmp();
    // Unset, not deleted: the child gets the test's environment too, where make exports one.
    const env = { ...cliEnv(h), FIRSTBOOT_IDENTITY: undefined };
    expect((await fb({ args: ["keygen"], env, cwd: h })).exitCode).toBe(0);
    expect(existsSync(join(h, ".config", "firstboot", "identity.txt"))).toBe(true);
    const named = join(h, "named.txt");
    expect((await fb({ args: ["keygen"], env: { ...env, FIRSTBOOT_IDENTITY: named }, cwd: h })).exitCode).toBe(0);
    expect(existsSync(named)).toBe(true);
  });
});

describe("help defaults of the Hetzner verbs, against the fake API", () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi({ durations: {} });
    cliEnvFor(api.endpoint, "help-token", "fb-help-");
  });
  afterAll(async () => api?.close());
  const post = async (path: string, body: unknown) =>
    (await fetch(`${api.endpoint}${path}`, {
      method: "POST",
      headers: { Authorization: "Bearer x", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.json())) as { server: { id: number } };

  it("gc leaves temporaries younger than 10m alone", async () => {
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    for (const [name, age] of [
      ["firstboot-build-young", 9],
      ["firstboot-build-old", 11],
    ] as const) {
      const { server } = await post("/servers", {
        name,
        server_type: "cx23",
        image: "debian-12",
        location: "nbg1",
        labels: { "firstboot/temporary": "true", "firstboot/run": name },
      });
      api.state.servers.get(server.id)!.created = ago(age);
    }
    const r = await fbIn("gc", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("firstboot-build-old");
    expect(r.stdout).not.toContain("firstboot-build-young");
  });

  it("images prune keeps the 3 newest snapshots", async () => {
    const { server } = await post("/servers", { name: "b", server_type: "cx23", image: "debian-12", location: "nbg1" });
    for (const hash of ["h1", "h2", "h3", "h4"])
      await post(`/servers/${server.id}/actions/create_image`, {
        type: "snapshot",
        description: `img ${hash}`,
        labels: { "firstboot/image": "haven", "firstboot/hash": hash, "firstboot/version": "0.1.0" },
      });
    const r = await fbIn("images", "prune", "--dry-run", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  });
});
