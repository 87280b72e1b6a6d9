// Every README snippet is checked: the YAML config validates (with a compose file that fits it),
// the sample error is what the tool really prints, and each `firstboot` command line names a
// real verb with real flags.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { formatDiagnostics } from "../src/config/diagnostics.js";
import { run } from "../src/exec.js";
import { read, ROOT, testEnv, tmp, writeTree } from "./helpers/render.js";
import { COMPOSE, fenced, readmeConfig } from "./helpers/readme-section.js";

const README = read(join(ROOT, "README.md"));
const blocks = (lang: string) => fenced(README, lang);
const CONFIG = readmeConfig();

describe("README", () => {
  it("has the config snippet, and it validates", async () => {
    const config = CONFIG;
    expect(config).toContain("version: 1");
    const dir = writeTree(tmp(), {
      "firstboot.yaml": config!,
      "compose.yaml": COMPOSE.replace("      # DB_URL: ${DB_URL}\n", ""),
      Caddyfile: "{$DOMAIN} {\n\treverse_proxy app:8080\n}\n",
    });
    const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv({ FIRSTBOOT_SECRET_DB_PASSWORD: "pw" }) });
    expect(r.ok ? "" : formatDiagnostics(r.diagnostics)).toBe("");
  });

  it("shows an error exactly as the tool prints it", async () => {
    const [sample] = blocks("text");
    const compose = COMPOSE.replace("      # DB_URL: ${DB_URL}\n", "").replace(
      "    environment:\n      DB_PASSWORD",
      "    environment:\n      DB_URL: ${DB_URL}\n      DB_PASSWORD",
    );
    const lines = compose.split("\n");
    // Keep the sample's line number meaningful: pad with comments until DB_URL sits on line 12.
    const at = lines.findIndex((l) => l.includes("DB_URL"));
    const padded = [...lines.slice(0, 1), ...Array(12 - 1 - at).fill("# padding"), ...lines.slice(1)].join("\n");
    const dir = writeTree(tmp(), { "firstboot.yaml": CONFIG, "compose.yaml": padded, Caddyfile: "x\n" });
    const r = await loadConfig(join(dir, "firstboot.yaml"), { env: testEnv({ FIRSTBOOT_SECRET_DB_PASSWORD: "pw" }) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatDiagnostics(r.diagnostics).replace(/--> .*compose\.yaml/, "--> compose.yaml");
    expect(text).toContain(sample!.trimEnd());
  });

  it("names only real verbs and flags in its command lines", async () => {
    const lines = blocks("sh")
      .flatMap((b) => b.split("\n"))
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter((l) => l.startsWith("firstboot "));
    expect(lines.length).toBeGreaterThan(8);
    const helps = new Map<string, string>();
    for (const line of lines) {
      const [, verb, ...rest] = line.split(/\s+/);
      if (!helps.has(verb!)) {
        const r = await run(["node", join(ROOT, "bin", "firstboot.js"), verb!, "--help"], { allowFailure: true });
        helps.set(verb!, r.stdout);
      }
      const help = { stdout: helps.get(verb!)! };
      expect(help.stdout, line).toContain(`$ firstboot ${verb}`);
      for (const flag of rest.filter((w) => w.startsWith("--")))
        expect(help.stdout, `${line}: ${flag}`).toContain(flag);
    }
  });
});
