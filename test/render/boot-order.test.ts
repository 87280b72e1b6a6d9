// Fail closed: in every example's rendered runner (full boot, held stack, golden-image bake) the
// steps that need only the distribution's archive and local files (packages, base server, SSH,
// firewall, fail2ban, updates) come before every step that can fail for outside reasons (Docker's
// apt source and install, registry pulls, the backup target). The order is read from the runner
// in the rendered document; then the real runner runs with stub bodies in that order, one step
// failing at a time: the hardening has run, nothing after the failure has, the banner names it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, type Loaded } from "../../src/config/load.js";
import { render, type RenderOptions } from "../../src/render/index.js";
import { RUNNER_PATH } from "../../src/server-contract.js";
import { EXAMPLES, filesOf, ROOT, testEnv, tmp } from "../helpers/render.js";
import { runSteps } from "./runner-harness.js";

const LOCKDOWN = ["packages", "server", "ssh", "firewall", "fail2ban", "updates"];
const OUTSIDE = ["docker_repo", "docker_packages", "docker", "floating_ip", "backup_timer", "stack_pull", "restore"];
const LAST = ["stack_start", "health", "stack_enable", "bake_cleanup"];

async function load(name: string): Promise<Loaded> {
  const r = await loadConfig(join(ROOT, "examples", name, "firstboot.yaml"), { env: testEnv() });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  // A first-boot restore reaches the backup target: it must come after the hardening too.
  return r.loaded.config.backup ? { ...r.loaded, config: { ...r.loaded.config, restore: "latest" } } : r.loaded;
}

/** The step names in the order the rendered runner runs them (its `for s in ...` loop). */
function order(l: Loaded, opts: RenderOptions = {}): string[] {
  const runner = filesOf(render(l, { redact: true, ...opts }).document).find((f) => f.path === RUNNER_PATH)!;
  return /^for s in (.+); do$/m.exec(runner.content)![1]!.split(" ");
}

describe.each(EXAMPLES)("example %s", (name) => {
  it("runs every lockdown step before any step that reaches outside, in every mode", async () => {
    const l = await load(name);
    const full = order(l);
    const modes = { full, hold: order(l, { holdStack: true }), bake: order(l, { mode: "bake" }) };
    for (const [mode, steps] of Object.entries(modes)) {
      expect(
        steps.filter((s) => ![...LOCKDOWN, ...OUTSIDE, ...LAST].includes(s)),
        mode,
      ).toEqual([]);
      const lastLockdown = Math.max(...steps.map((s, i) => (LOCKDOWN.includes(s) ? i : -1)));
      const firstOutside = steps.findIndex((s) => !LOCKDOWN.includes(s));
      expect(lastLockdown, `${mode}: ${steps.join(" ")}`).toBeLessThan(firstOutside);
      expect(steps.slice(0, 3), mode).toEqual(["packages", "server", "ssh"]);
    }
    expect(full.slice(-3)).toEqual(["restore", "stack_start", "health"]);
    expect(modes.hold.slice(-2)).toEqual(["restore", "stack_enable"]);
    // A golden image runs the same steps in the same order, up to the pull.
    expect(modes.bake).toEqual([...full.filter((s) => !["restore", ...LAST].includes(s)), "bake_cleanup"]);
  });
});

describe("the selfmx example's first boot", () => {
  const EXPECTED = [
    ...LOCKDOWN,
    "docker_repo",
    "docker_packages",
    "docker",
    "backup_timer",
    "stack_pull",
    "restore",
    "stack_start",
    "health",
  ];

  it("has exactly this order", async () => {
    expect(order(await load("selfmx"))).toEqual(EXPECTED);
  });

  // Each stub records that it ran; the one under test fails the way an unreachable server would.
  const stubs = (failing: string, log: string) =>
    EXPECTED.map((name) => ({
      name,
      script: name === failing ? `echo "${name}: cannot reach the server" >&2\nexit 1` : `echo ${name} >>${log}`,
    }));

  it.each(["docker_repo", "docker_packages", "docker", "stack_pull", "restore", "health"])(
    "%s failing: the hardening ran first, nothing after it ran, the banner names it, exit 1",
    async (failing) => {
      const dir = tmp();
      const r = await runSteps(stubs(failing, join(dir, "ran")), { dir, name: "selfmx" });
      const ran = readFileSync(join(dir, "ran"), "utf8").trim().split("\n");
      expect(r.exitCode).toBe(1);
      expect(ran).toEqual(EXPECTED.slice(0, EXPECTED.indexOf(failing)));
      expect(ran).toEqual(expect.arrayContaining(LOCKDOWN));
      expect(r.status.result).toBe("failed");
      expect(r.banner).toContain(`first boot of selfmx FAILED at step ${failing};`);
    },
  );

  it("a lockdown step failing (firewall) stops the boot before Docker and the stack", async () => {
    const dir = tmp();
    const r = await runSteps(stubs("firewall", join(dir, "ran")), { dir, name: "selfmx" });
    expect(r.exitCode).toBe(1);
    expect(r.status.steps.map((s) => s.name)).toEqual(["packages", "server", "ssh", "firewall"]);
    expect(r.banner).toContain("FAILED at step firewall;");
  });
});
