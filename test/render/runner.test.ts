// The first-boot runner, executed for real with bash: steps run in order, each under set -e
// (even though the runner calls them from an `if`), status.json records ok/failed with
// timings, and a failed step stops the boot with a non-zero exit (cloud-init then reports error).
// A failed or cut-short run leaves a login banner and makes `firstboot.sh __result` (the result
// unit's check at every boot) fail, until a later run succeeds; the unit passes systemd-analyze.
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BootStep } from "../../src/render/part.js";
import { resultUnitFile, runnerFile } from "../../src/render/runner.js";
import { packagesStep } from "../../src/render/server.js";
import { MOTD_BANNER, RESULT_UNIT, RUNNER_PATH, STATUS_FILE } from "../../src/server-contract.js";
import { tmp } from "../helpers/render.js";
import { verifyUnit } from "./real-tools.js";
import { resultOf, runSteps as runIn } from "./runner-harness.js";

const runSteps = (steps: BootStep[], dir?: string) => runIn(steps, { dir });

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
    expect(typeof r.status.steps[0]!.ms).toBe("number");
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
    expect((await runSteps([step], dir)).status.steps[0]!.status).toBe("failed");
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

describe("a failed first boot stays visible after reboots", () => {
  const broken = (fixed: boolean): BootStep[] => [
    { name: "one", script: "true" },
    { name: "broken", script: fixed ? "true" : "false" },
    { name: "never", script: "true" },
  ];

  it("a failed step leaves a 0644 login banner naming it, the status file and the log", async () => {
    const r = await runSteps(broken(false));
    expect(r.exitCode).toBe(1);
    expect(r.banner).toBe(
      "*** firstboot: first boot of demo FAILED at step broken; the steps after it did not run\n" +
        `*** firstboot: see ${join(r.dir, "state", "status.json")} and /var/log/cloud-init-output.log\n`,
    );
    expect(statSync(r.bannerPath).mode & 0o777).toBe(0o644);
    // The result unit is enabled before any step, and told when the run ends.
    expect(r.systemctl).toEqual([`-q enable ${RESULT_UNIT}`, `--no-block restart ${RESULT_UNIT}`]);
    const check = await resultOf(broken(false), r.dir);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toBe(r.banner);
  });

  it("a later successful run removes the banner and the result check passes", async () => {
    const dir = tmp();
    expect((await runSteps(broken(false), dir)).banner).toBeDefined();
    const ok = await runSteps(broken(true), dir);
    expect(ok.exitCode).toBe(0);
    expect(ok.banner).toBeUndefined();
    expect(ok.systemctl.at(-1)).toBe(`--no-block restart ${RESULT_UNIT}`);
    expect((await resultOf(broken(true), dir)).exitCode).toBe(0);
  });

  it("a run cut short (the runner killed mid-step) keeps a 'not finished' banner and fails the check", async () => {
    const steps: BootStep[] = [{ name: "cut", script: 'kill -KILL "$PPID"\nsleep 0.5' }];
    const r = await runSteps(steps);
    expect(r.exitCode).not.toBe(0);
    expect(r.status.result).toBe("running");
    expect(r.banner).toMatch(
      /^\*\*\* firstboot: first boot of demo started \S+Z, not finished \(cut short if cloud-init is done\)\n/,
    );
    expect((await resultOf(steps, r.dir)).exitCode).toBe(1);
    // No status file at all (nothing ever ran here) is not a success either.
    rmSync(join(r.dir, "state"), { recursive: true });
    expect((await resultOf(steps, r.dir)).exitCode).toBe(1);
  });

  it("a failed package install still turns the apt timers back on (unattended-upgrades stays live)", async () => {
    const install = packagesStep(["docker-ce"], false, { name: "docker_packages", lookFirst: false });
    const r = await runIn([install], { shims: { "apt-get": "exit 100" } });
    expect(r.exitCode).toBe(1);
    expect(r.status.steps).toMatchObject([{ name: "docker_packages", status: "failed" }]);
    expect(readFileSync(join(r.dir, "apt-get.log"), "utf8")).toMatch(/ update\n/);
    const timers = r.systemctl.filter((l) => l.includes("apt-daily"));
    expect(timers).toEqual([
      "stop apt-daily.timer apt-daily-upgrade.timer",
      "start apt-daily.timer apt-daily-upgrade.timer",
    ]);
  });

  it("the result unit runs the runner's check, is wanted at boot, and passes systemd-analyze verify", async () => {
    const unit = resultUnitFile();
    expect(unit.path).toBe(`/etc/systemd/system/${RESULT_UNIT}`);
    expect(unit.content).toMatch(new RegExp(`^ExecStart=${RUNNER_PATH} __result$`, "m"));
    expect(unit.content).toMatch(/^WantedBy=multi-user\.target$/m);
    expect(unit.content).toContain(MOTD_BANNER);
    expect(unit.content).toContain(STATUS_FILE);
    const runner = runnerFile("demo", [{ name: "one", script: "true" }]).content;
    const v = await verifyUnit(RESULT_UNIT, unit.content, { [RUNNER_PATH]: runner });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stderr).toBe("");
  });

  it("a banner that cannot be written does not stop the boot", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "motd.d"), "a file where the directory should be");
    const r = await runSteps([{ name: "one", script: "true" }], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("cannot write");
  });
});
