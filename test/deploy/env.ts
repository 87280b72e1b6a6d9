// Builds a workflow Env over the in-process fake: virtual clock, fake SSH, captured progress,
// and an AbortController the tests trigger at any request or command.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "../../src/clock.js";
import { Hcloud } from "../../src/hcloud/client.js";
import { FakeState, fakeFetch, REALISTIC_DURATIONS } from "../../src/fake-cloud/index.js";
import type { ProgressEvent } from "../../src/progress.js";
import type { Env } from "../../src/deploy/workflow.js";
import { FakeSsh } from "./fake-ssh.js";

export interface TestEnv {
  env: Env;
  state: FakeState;
  ssh: FakeSsh;
  events: ProgressEvent[];
  abort: AbortController;
  /** API requests made so far (the index the next one gets). */
  count: number;
  /** Called with the index of every API request before it is answered; return a status to fail it. */
  onRequest?: (index: number, method: string, path: string) => number | void;
  /** Set to simulate SIGKILL: no request answers any more. */
  killed?: boolean;
}

export function testEnv(durations: Record<string, number> = REALISTIC_DURATIONS): TestEnv {
  const clock = new VirtualClock();
  const state = new FakeState({ clock, durations });
  const abort = new AbortController();
  const events: ProgressEvent[] = [];
  const ssh = new FakeSsh(state);
  const base = fakeFetch(state);
  const t: TestEnv = { env: undefined as unknown as Env, state, ssh, events, abort, count: 0 };
  const fetch = async (req: Request): Promise<Response> => {
    // kill -9: this request and every later one never answers; the run is abandoned where it stands.
    if (t.killed) return new Promise<Response>(() => undefined);
    const index = t.count++;
    const status = t.onRequest?.(index, req.method, new URL(req.url).pathname.replace(/^\/v1/, ""));
    if (t.killed) return new Promise<Response>(() => undefined);
    if (status)
      return new Response(JSON.stringify({ error: { code: "server_error", message: "injected" } }), {
        status,
        headers: { "Content-Type": "application/json" },
      });
    return base(req);
  };
  const hc = new Hcloud({ token: "t", endpoint: "http://fake/v1", clock, fetch, signal: abort.signal });
  t.env = {
    hc,
    ssh,
    signal: abort.signal,
    version: "0.1.0",
    runId: "run1",
    knownHosts: join(mkdtempSync(join(tmpdir(), "fb-kh-")), "known_hosts"),
    http: ssh.http,
    progress: { emit: (e) => events.push(e), close: () => undefined },
  };
  return t;
}

/** Temporary resources still in the fake: what `firstboot gc` would have to delete. */
export function temporaries(state: FakeState): string[] {
  state.tick();
  const tmp = (l: Record<string, string> | undefined) => l?.["firstboot/temporary"] === "true";
  return [
    ...[...state.servers.values()].filter((s) => tmp(s.labels)).map((s) => `server ${s.name}`),
    ...[...state.sshKeys.values()].filter((k) => tmp(k.labels)).map((k) => `ssh_key ${k.name}`),
    ...[...state.images.values()].filter((i) => tmp(i.labels)).map((i) => `image ${i.id}`),
  ];
}

export function fakeUserData(hostKeys: { ed25519_public: string }, extra: string[] = []): string {
  return ["#cloud-config", "ssh_keys:", `  ed25519_public: ${hostKeys.ed25519_public}`, ...extra].join("\n") + "\n";
}
