// The first-boot runner, executed for real with bash: steps run in order, each under set -e
// (even though the runner calls them from an `if`), status.json records ok/failed with
// timings, and a failed step stops the boot with a non-zero exit (cloud-init then reports error).
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import type { BootStep } from "../../src/render/part.js";
import { runnerFile } from "../../src/render/runner.js";
import { tmp } from "../helpers/render.js";

async function runSteps(steps: BootStep[], dir = tmp()) {
  const script = join(dir, "firstboot.sh");
  writeFileSync(script, runnerFile("demo", steps).content);
  chmodSync(script, 0o700);
  const status = join(dir, "state", "status.json");
  const r = await run([script], {
    allowFailure: true,
    env: { ...process.env, FIRSTBOOT_STATUS: status, FIRSTBOOT_APPLIED: join(dir, "applied") },
  });
  return { ...r, status: JSON.parse(readFileSync(status, "utf8")), dir };
}

describe("runner", () => {
  it("runs every step in order and reports ok", async () => {
    const r = await runSteps([
      { name: "one", script: 'echo "one ran"' },
      { name: "two", script: 'echo "two ran"' },
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/one ran[\s\S]*two ran/);
    expect(r.status.result).toBe("ok");
    expect(r.status.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      "one:ok",
      "two:ok",
    ]);
    expect(typeof r.status.steps[0].ms).toBe("number");
  });

  it("stops at the first failing command inside a step (set -e holds) and exits non-zero", async () => {
    const r = await runSteps([
      { name: "first", script: "true" },
      { name: "broken", script: 'false\necho "must not print"' },
      { name: "never", script: 'echo "never ran"' },
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toContain("must not print");
    expect(r.stdout).not.toContain("never ran");
    expect(r.stderr).toContain("FAILED at step broken");
    expect(r.status.result).toBe("failed");
    expect(r.status.steps.map((s: { status: string }) => s.status)).toEqual(["ok", "failed"]);
  });

  it("fails a step on an unset variable and on a failing pipe stage", async () => {
    expect((await runSteps([{ name: "unset", script: 'echo "$NOPE_NOT_SET"' }])).exitCode).toBe(1);
    expect((await runSteps([{ name: "pipe", script: "false | cat" }])).exitCode).toBe(1);
  });

  it("skips a fingerprinted step while its code and files are unchanged and its check passes", async () => {
    const dir = tmp();
    const watched = join(dir, "watched.conf");
    const live = join(dir, "live");
    writeFileSync(watched, "a\n");
    writeFileSync(live, "");
    const steps = (echo: string): BootStep[] => [
      {
        name: "apply",
        script: `echo "${echo}"; echo ran >>${join(dir, "runs")}`,
        unchanged: { files: [watched], check: `[ -e ${live} ]` },
      },
      { name: "always", script: "true" },
    ];
    const statuses = (r: { status: { steps: { status: string }[] } }) => r.status.steps.map((s) => s.status);
    expect(statuses(await runSteps(steps("v1"), dir))).toEqual(["ok", "ok"]);
    const again = await runSteps(steps("v1"), dir);
    expect(statuses(again)).toEqual(["skipped", "ok"]);
    expect(again.stdout).toMatch(/step apply: skipped after \d+ ms/);
    // A changed watched file, a failing check and changed step code each make it run again.
    writeFileSync(watched, "b\n");
    expect(statuses(await runSteps(steps("v1"), dir))).toEqual(["ok", "ok"]);
    rmSync(live);
    expect(statuses(await runSteps(steps("v1"), dir))).toEqual(["ok", "ok"]);
    writeFileSync(live, "");
    expect(statuses(await runSteps(steps("v1"), dir))).toEqual(["skipped", "ok"]);
    expect(statuses(await runSteps(steps("v2"), dir))).toEqual(["ok", "ok"]);
    expect(readFileSync(join(dir, "runs"), "utf8")).toBe("ran\n".repeat(4));
  });

  it("does not remember a step that failed", async () => {
    const dir = tmp();
    const step: BootStep = { name: "flaky", script: "false", unchanged: { files: [], check: "true" } };
    expect((await runSteps([step], dir)).exitCode).toBe(1);
    expect((await runSteps([step], dir)).status.steps[0].status).toBe("failed");
  });

  it("rejects bad or duplicate step names", () => {
    expect(() => runnerFile("demo", [{ name: "a b", script: "true" }])).toThrow();
    expect(() =>
      runnerFile("demo", [
        { name: "a", script: "true" },
        { name: "a", script: "true" },
      ]),
    ).toThrow();
  });
});
