// The notification ping (healthchecks style) against a local HTTP server: the URL on success,
// <url>/fail from the unit's ExecStopPost (`notify-result` with systemd's SERVICE_RESULT) after
// any failure, and an S3 target's rclone.conf as rclone itself reads it.
import { execFileSync, spawn } from "node:child_process";
import { createServer, type Server as HttpServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupSchema } from "../../src/config/schema-backup.js";
import { rcloneFiles } from "../../src/render/backup.js";
import { makeServer, requireTools, sqlite } from "./harness.js";

let http: HttpServer;
const hits: string[] = [];
let url = "";
beforeAll(async () => {
  http = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end("OK");
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const addr = http.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/ping/5e1f`;
});
afterAll(() => new Promise((r) => http.close(r)));

// The scripts run synchronously in a child; let the event loop answer the HTTP request meanwhile.
const runAsync = (s: ReturnType<typeof makeServer>, args: string[], env: Record<string, string> = {}) =>
  new Promise<number>((resolve) => {
    const c = spawn(join(s.root, "bin", "firstboot-backup"), args, { env: { ...s.env, ...env }, stdio: "ignore" });
    c.on("exit", (code) => resolve(code ?? -1));
  });

describe("notify", { timeout: 60_000 }, () => {
  it("pings the URL after a good run and <url>/fail when systemd reports a failed one", async () => {
    requireTools(["curl", "curl"]);
    const s = makeServer({
      backup: { sqlite: [{ volume: "data", path: "app.db" }], notify: { secret: "hc" } },
      secrets: { hc: url },
    });
    expect(await runAsync(s, ["run"])).toBe(1); // no database yet
    expect(hits).toEqual([]);
    expect(await runAsync(s, ["notify-result"], { SERVICE_RESULT: "exit-code" })).toBe(0);
    expect(hits).toEqual(["/ping/5e1f/fail"]);
    sqlite(join(s.volume("data"), "app.db"), "CREATE TABLE t(x)");
    expect(await runAsync(s, ["run"])).toBe(0);
    expect(await runAsync(s, ["notify-result"], { SERVICE_RESULT: "success" })).toBe(0);
    expect(hits).toEqual(["/ping/5e1f/fail", "/ping/5e1f"]);
  });
});

describe("S3 target", () => {
  it("rclone reads the rendered config: provider, endpoint and keys from secrets", () => {
    requireTools(["rclone", "rclone"]);
    const b = backupSchema.parse({
      encrypt_to: ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"],
      target: {
        s3: {
          endpoint: "https://fsn1.your-objectstorage.com",
          region: "fsn1",
          bucket: "b1",
          access_key_id: { secret: "id" },
          secret_access_key: { secret: "key" },
        },
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "fb-s3-"));
    const files = rcloneFiles(
      b.target!,
      (v) => (typeof v === "string" ? v : v.secret === "id" ? "AKID123" : "s3cr3t/+="),
      dir,
    );
    expect(files.map((f) => [f.path, f.mode])).toEqual([[join(dir, "rclone.conf"), "0600"]]);
    writeFileSync(files[0]!.path, files[0]!.content);
    const dump = JSON.parse(
      execFileSync("rclone", ["config", "dump", "--config", files[0]!.path]).toString(),
    ) as Record<string, Record<string, string>>;
    expect(dump.target).toMatchObject({
      type: "s3",
      provider: "Other",
      endpoint: "https://fsn1.your-objectstorage.com",
      region: "fsn1",
      access_key_id: "AKID123",
      secret_access_key: "s3cr3t/+=",
    });
  });
});
