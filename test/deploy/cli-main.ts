// The CLI as a user runs it, in-process (src/cli.ts main) with its output captured, and the
// environment a Hetzner command needs: the fake API's endpoint, a token and a private HOME.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { main } from "../../src/cli.js";

export async function fb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c) => ((stderr += String(c)), true));
  try {
    return { code: await main(["node", "firstboot", ...args]), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

export function cliEnvFor(endpoint: string, token: string, prefix: string): void {
  const home = mkdtempSync(join(tmpdir(), prefix));
  Object.assign(process.env, {
    HCLOUD_ENDPOINT: endpoint,
    HCLOUD_TOKEN: token,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    FIRSTBOOT_IDENTITY: join(process.cwd(), "examples/demo-identity.txt"),
  });
}
