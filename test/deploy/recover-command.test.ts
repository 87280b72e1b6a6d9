// `firstboot status` and `firstboot recover` as the CLI runs them (src/cli.ts main) over real
// HTTP to the fake API: status reads the state from the labels and changes nothing; recover
// finishes a half-settled cutover (the new server still names what it superseded, the old
// standby left running) and then there is nothing left to do. These servers were made without
// firstboot's user-data, so the fake SSH refuses their host key: status says so (exit 1) after
// the labels' part, which is what this test reads.
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
const TOKEN = "recover-cmd-token-0815";

beforeAll(async () => {
  api = await startFakeApi({ durations: {} });
  holder.ssh = new FakeSsh(api.state);
  cliEnvFor(api.endpoint, TOKEN, "fb-recover-cmd-");
});
afterAll(async () => api?.close());

async function server(name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(`${api.endpoint}/servers`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, server_type: "cx23", image: "debian-12", location: "nbg1", labels }),
  });
  return ((await res.json()) as { server: { id: number } }).server.id;
}

it("status shows a half-settled cutover and changes nothing; recover finishes it", async () => {
  const old = await server("selfmx-a", { "firstboot/stack": "selfmx", "firstboot/role": "standby" });
  const neu = await server("selfmx-b", {
    "firstboot/stack": "selfmx",
    "firstboot/role": "live",
    "firstboot/supersedes": String(old),
  });
  await new Promise((r) => setTimeout(r, 50));
  const before = JSON.stringify([...api.state.servers.values()].map((s) => [s.labels, s.status]));
  const status = await fb("status", "examples/selfmx/firstboot.yaml", "--json");
  expect(status.code, status.stderr).toBe(1);
  const view = JSON.parse(status.stdout) as { state: string[]; actions: string[]; error: string };
  expect(view.error).toBe("cannot reach selfmx-b over SSH: Host key verification failed.");
  expect(view.state).toContain("selfmx-b is live; the run that made it live did not clear its cutover label");
  expect(view.actions).toEqual(["label selfmx-b live", "power off selfmx-a"]);
  expect(JSON.stringify([...api.state.servers.values()].map((s) => [s.labels, s.status]))).toBe(before);
  expect(status.stdout + status.stderr).not.toContain(TOKEN);

  const rec = await fb("recover", "examples/selfmx/firstboot.yaml");
  expect(rec.code, rec.stderr).toBe(0);
  api.state.tick();
  expect(api.state.servers.get(neu)?.labels).toEqual({ "firstboot/stack": "selfmx", "firstboot/role": "live" });
  expect(api.state.servers.get(old)?.status).toBe("off");
  const again = JSON.parse((await fb("status", "examples/selfmx/firstboot.yaml", "--json")).stdout) as {
    actions: string[];
  };
  expect(again.actions).toEqual([]);
});
