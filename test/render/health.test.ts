// firstboot-health (snippets/stack/health.sh.hbs) run for real under bash, with stand-ins for docker
// and curl on PATH: which container states count as healthy, the services filter, the URL.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { snippet } from "../../src/render/template.js";
import { tmp } from "../helpers/render.js";

// docker ps --format '<service> <State> <Status>', one line per container of the project.
const DOCKER = `#!/bin/sh
[ "$1" = ps ] || exit 1
[ -z "$FAKE_STATES" ] || printf '%s\\n' "$FAKE_STATES"
`;

async function gate(o: { states: string[]; services?: string[]; url?: string; curlOk?: boolean }) {
  const dir = tmp("health-");
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "docker"), DOCKER);
  writeFileSync(join(dir, "bin", "curl"), `#!/bin/sh\nexit ${o.curlOk === false ? 22 : 0}\n`);
  for (const f of ["docker", "curl"]) chmodSync(join(dir, "bin", f), 0o755);
  const script = snippet("stack/health.sh.hbs", {
    name: "mx",
    url: o.url ?? "",
    services: o.services ?? [],
    seconds: 1,
  });
  writeFileSync(join(dir, "health"), script);
  const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, FAKE_STATES: o.states.join("\n") };
  return run(["bash", join(dir, "health"), "1"], { env, allowFailure: true, timeoutMs: 20_000 });
}

describe("firstboot-health", () => {
  it("passes when every container runs and is healthy or has no health check", async () => {
    const r = await gate({ states: ["app running Up 5 seconds (healthy)", "caddy running Up 2 minutes"] });
    expect([r.exitCode, r.stdout.trim()]).toEqual([0, "firstboot-health: mx healthy"]);
  });

  it.each([
    ["a container still starting", ["app running Up 3 seconds (health: starting)", "caddy running Up 2 seconds"]],
    ["a stopped container", ["app exited Exited (0) 3 seconds ago", "caddy running Up 2 seconds"]],
    ["an unhealthy container", ["app running Up 2 minutes (unhealthy)"]],
    ["a restarting container", ["app restarting Restarting (1) 2 seconds ago"]],
    ["no containers", []],
  ])("fails after the timeout with %s", async (_, states) => {
    const r = await gate({ states });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("firstboot-health: mx not healthy after 1s");
  });

  it("with services, looks only at those", async () => {
    const up = "running Up 1 minute (healthy)";
    const starting = "running Up 1 second (health: starting)";
    expect((await gate({ states: [`app ${up}`, `worker ${starting}`], services: ["app"] })).exitCode).toBe(0);
    expect((await gate({ states: [`app ${starting}`, `worker ${up}`], services: ["app"] })).exitCode).toBe(1);
    expect(
      (await gate({ states: [`worker ${up}`], services: ["app"] })).exitCode,
      "none of the listed services exists",
    ).toBe(1);
  });

  it("with a URL, needs it to answer too", async () => {
    const states = ["app running Up 1 minute (healthy)"];
    expect((await gate({ states, url: "http://127.0.0.1/health" })).exitCode).toBe(0);
    expect((await gate({ states, url: "http://127.0.0.1/health", curlOk: false })).exitCode).toBe(1);
  });

  it("passes shellcheck", async () => {
    const dir = tmp("health-sc-");
    writeFileSync(
      join(dir, "h.sh"),
      snippet("stack/health.sh.hbs", { name: "mx", url: "http://127.0.0.1/", services: ["app", "db"], seconds: 60 }),
    );
    const r = await run(["shellcheck", join(dir, "h.sh")], { allowFailure: true });
    expect(r.stdout + r.stderr).toBe("");
  });
});
