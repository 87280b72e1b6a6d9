// `firstboot build-image` as the CLI runs it (src/cli.ts main) over real HTTP to the fake API,
// with the fake SSH standing in for the servers: a 503 on an action poll is retried and shown as
// a progress line, and a build server that cannot be deleted after the snapshot is a warning,
// exit 0 with the snapshot's ID on stdout.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { cliEnvFor, fb } from "./cli-main.js";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import type { SshLayer } from "../../src/ssh/index.js";
import { FakeSsh } from "./fake-ssh.js";

const holder = vi.hoisted(() => ({ ssh: undefined as SshLayer | undefined }));
vi.mock("../../src/ssh/index.js", async (orig) => ({
  ...(await orig<typeof import("../../src/ssh/index.js")>()),
  systemSsh: { connect: (t: Parameters<SshLayer["connect"]>[0]) => holder.ssh!.connect(t) },
}));

let api: FakeApi;
const TOKEN = "build-cmd-token-4711";

beforeAll(async () => {
  api = await startFakeApi({ durations: {} });
  holder.ssh = new FakeSsh(api.state);
  cliEnvFor(api.endpoint, TOKEN, "fb-build-cmd-");
});
afterAll(async () => api?.close());

it("retries a 503, and a failed final delete is a warning: exit 0, the snapshot printed", async () => {
  api.state.faults.push(
    { on: "GET /server_types", status: 503 },
    { on: "DELETE /servers/{id}", status: 500, times: Infinity },
  );
  const { code, stdout, stderr } = await fb("build-image", "images/selfmx.yaml");
  expect(stderr).toMatch(/retrying GET \/server_types after 503 \(attempt 2 of 5, in \d+\.\d s\)/);
  const server = [...api.state.servers.values()][0]!;
  expect(stderr).toContain(`could not delete build server ${server.name} (id ${server.id})`);
  expect(stderr).toContain(`hcloud server delete ${server.id}`);
  expect(stderr).toContain("firstboot gc");
  expect(stderr).not.toContain(TOKEN);
  expect(code).toBe(0);
  const snap = [...api.state.images.values()].find((i) => i.type === "snapshot")!;
  expect(stdout).toBe(`${snap.id}\n`);
  expect(api.state.sshKeys.size).toBe(0);
}, 60_000);
