// firstboot fake-api: run the fake Hetzner Cloud API locally, to rehearse commands without an
// account (HCLOUD_ENDPOINT=http://127.0.0.1:PORT/v1 HCLOUD_TOKEN=anything). Servers in it do
// not exist on the network, so SSH steps will wait; API-only commands (gc, images) work fully.
import type { CAC } from "cac";
import { startFakeApi } from "../fake-cloud/index.js";
import { EXIT, Exit } from "./io.js";
import { cli as usage } from "../catalogue.js";

export function register(cli: CAC): void {
  cli
    .command("fake-api", "Run a local fake of the Hetzner Cloud API (for rehearsals and tests)")
    .example("firstboot fake-api --port 8080   # then HCLOUD_ENDPOINT=http://127.0.0.1:8080/v1 hcloud server list")
    .option("--port <port>", "Port to listen on (127.0.0.1)", { default: 8787 })
    .option("--action-ms <ms>", "How long every action takes", { default: 1000 })
    .action(async (opts: { port: number | string; actionMs: number | string }) => {
      const port = Number(opts.port);
      const ms = Number(opts.actionMs);
      if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isFinite(ms))
        throw new Exit(EXIT.badInput, usage.fakeApiNumbers());
      const durations = new Proxy({}, { get: () => ms }) as Record<string, number>;
      const api = await startFakeApi({ port, durations });
      process.stderr.write(
        `fake Hetzner API on ${api.endpoint}\n  export HCLOUD_ENDPOINT=${api.endpoint} HCLOUD_TOKEN=fake\n(Ctrl-C stops it)\n`,
      );
      await new Promise<void>((resolve) => process.once("SIGINT", () => void api.close().then(resolve)));
    });
}
