// How many API requests one build-image costs against the fake API with realistic action
// durations (virtual clock, so it runs in well under a second), with firstboot's exponential
// action polling versus a constant 500 ms poll (hcloud-go's old default). With BENCH_WRITE=1
// the result replaces the `## Hetzner API requests` section of BENCHMARKS.md.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { expect, it } from "vitest";
import { buildImage } from "../src/deploy/build-image.js";
import { DEFAULT_POLL, Hcloud } from "../src/hcloud/client.js";
import { fakeFetch, REALISTIC_DURATIONS } from "../src/fake-cloud/index.js";
import { fakeUserData, testEnv } from "../test/deploy/env.js";
import { liveStack, stackSpec } from "../test/deploy/stack-fixture.js";
import { up } from "../src/deploy/up.js";
import { planReplace, replace } from "../src/deploy/replace.js";

const SCENARIOS: Record<string, Record<string, number>> = {
  realistic: REALISTIC_DURATIONS,
  "slow (3 min snapshot, 40 s create)": {
    ...REALISTIC_DURATIONS,
    create_server: 30_000,
    start_server: 10_000,
    create_image: 180_000,
  },
  "fast (all actions 2 s)": Object.fromEntries(Object.keys(REALISTIC_DURATIONS).map((k) => [k, 2_000])),
};

async function count(
  durations: Record<string, number>,
  poll: typeof DEFAULT_POLL,
): Promise<{ requests: number; actionPolls: number; seconds: number }> {
  const t = testEnv(durations);
  const clock = t.env.hc.clock;
  t.env.hc = new Hcloud({ token: "t", endpoint: "http://fake/v1", clock, fetch: fakeFetch(t.state), poll });
  const t0 = clock.now();
  const res = await buildImage(t.env, {
    name: "bench",
    stack: "bench",
    serverType: "cx23",
    location: "nbg1",
    baseImage: "debian-12",
    hash: "h",
    sshUser: "deploy",
    sshPort: 22,
    render: async (hk) => fakeUserData(hk),
  });
  expect(res.ok).toBe(true);
  return {
    requests: t.state.log.length,
    actionPolls: t.state.log.filter((r) => r.template === "/actions").length,
    seconds: (clock.now() - t0) / 1000,
  };
}

it("counts API requests of one build-image", async () => {
  const rows: string[] = [];
  for (const [name, durations] of Object.entries(SCENARIOS)) {
    const ours = await count(durations, DEFAULT_POLL);
    const constant = await count(durations, { baseMs: 500, factor: 1, capMs: 500 });
    const ratio = ours.requests / constant.requests;
    rows.push(
      `| ${name} | ${ours.requests} (${ours.actionPolls} action polls) | ${constant.requests} (${constant.actionPolls} action polls) | ${ratio.toFixed(2)} | ${ours.seconds.toFixed(0)} s / ${constant.seconds.toFixed(0)} s |`,
    );
    if (name === "realistic") expect(ratio).toBeLessThanOrEqual(1 / 3);
  }
  const flows: string[] = [];
  for (const [name, poll] of [
    ["firstboot", DEFAULT_POLL],
    ["constant 500 ms", { baseMs: 500, factor: 1, capMs: 500 }],
  ] as const) {
    flows.push(`| ${name} | ${(await countUp(poll)).requests} | ${(await countReplace(poll)).requests} |`);
  }
  const section = [
    "## Hetzner API requests",
    "",
    "API requests of one `firstboot build-image` against the fake Hetzner API (virtual clock; action",
    "durations in `src/fake-cloud/state.ts` REALISTIC_DURATIONS: create 12 s + start 8 s, shutdown 10 s,",
    "create_image 45 s, delete 4 s). firstboot polls running actions with one batched",
    "`GET /actions?id=..` at 1 s, 2 s, 4 s, 8 s, then every 10 s; the baseline polls every 500 ms.",
    "Goal: at most a third of the baseline. The price of fewer polls is latency: an action is noticed",
    "up to one poll interval late (see the last column, the virtual time until the build is done).",
    "Re-measure: `bash bench/hcloud-requests.sh`.",
    "",
    "| action durations | firstboot (exponential poll) | constant 500 ms poll | ratio | time to done: firstboot / baseline |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    "The other workflows, realistic durations (up: plan, create, start, Floating IP, labels; replace:",
    "plan, create, start, move the Floating IP, labels, shut the old server down, standby sweep):",
    "",
    "| action polling | up | replace |",
    "|---|---|---|",
    ...flows,
    "",
  ].join("\n");
  console.log(section);
  if (process.env.BENCH_WRITE === "1") writeSection("BENCHMARKS.md", section);
});

async function countUp(poll: typeof DEFAULT_POLL): Promise<{ requests: number }> {
  const t = testEnv();
  t.env.hc = new Hcloud({
    token: "t",
    endpoint: "http://fake/v1",
    clock: t.env.hc.clock,
    fetch: fakeFetch(t.state),
    poll,
  });
  await t.env.hc.call(
    "fip",
    t.env.hc.api.POST("/floating_ips", { body: { type: "ipv4", home_location: "nbg1", name: "selfmx-ip" } }),
  );
  const before = t.state.log.length;
  expect((await up(t.env, stackSpec())).ok).toBe(true);
  return { requests: t.state.log.length - before };
}

async function countReplace(poll: typeof DEFAULT_POLL): Promise<{ requests: number }> {
  const { t } = await liveStack();
  t.env.hc = new Hcloud({
    token: "t",
    endpoint: "http://fake/v1",
    clock: t.env.hc.clock,
    fetch: fakeFetch(t.state),
    poll,
  });
  const opts = { freeze: true, rollbackWindowMs: 86_400_000 };
  const before = t.state.log.length;
  expect((await replace(t.env, stackSpec(), await planReplace(t.env, stackSpec(), opts), opts)).ok).toBe(true);
  return { requests: t.state.log.length - before };
}

function writeSection(file: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const start = text.indexOf("## Hetzner API requests");
  if (start < 0) return writeFileSync(file, text.trimEnd() + "\n\n" + section);
  const next = text.indexOf("\n## ", start + 3);
  writeFileSync(file, text.slice(0, start) + section.trimEnd() + "\n" + (next < 0 ? "" : "\n" + text.slice(next + 1)));
}
