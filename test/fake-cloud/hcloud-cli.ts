// The real hcloud CLI (Debian hcloud-cli) pointed at a fake API, with a HOME and an empty config
// of its own: the conformance tests run what the official client sends and read what it prints.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasProgram, run, type RunResult } from "../../src/exec.js";
import type { FakeApi } from "../../src/fake-cloud/index.js";

export interface HcloudCli {
  home: string;
  /** Runs `hcloud args...`; a failure is returned, not thrown. */
  run(...args: string[]): Promise<RunResult>;
  /** Runs `hcloud args...` and returns its stdout; a failure throws with what it printed. */
  ok(...args: string[]): Promise<string>;
}

export async function hcloudCli(api: FakeApi, prefix: string): Promise<HcloudCli> {
  if (!(await hasProgram("hcloud"))) throw new Error("the hcloud CLI is missing: apt-get install hcloud-cli");
  const home = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(home, "cli.toml"), "");
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    HCLOUD_CONFIG: join(home, "cli.toml"),
    HCLOUD_ENDPOINT: api.endpoint,
    HCLOUD_TOKEN: "conformance-token",
  };
  const runIt = (...args: string[]) => run(["hcloud", ...args], { env, timeoutMs: 30_000, allowFailure: true });
  return {
    home,
    run: runIt,
    async ok(...args) {
      const r = await runIt(...args);
      if (r.exitCode !== 0) throw new Error(`hcloud ${args.join(" ")} failed (${r.exitCode}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
  };
}
