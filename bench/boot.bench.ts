// Boot benchmark (run by bench/boot.sh, not by `vitest run`): the e2e selfmx-like stack's fresh
// first boot against a boot from a golden disk made from it, each broken down by firstboot step.
// Rewrites the `## Boot` section of BENCHMARKS.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { buildBase, findBase } from "../src/vm/base-image.js";
import { DEFAULT_BASE } from "../src/vm/base-image-plan.js";
import { cacheRoot } from "../src/vm/cache.js";
import { makeGolden } from "../src/vm/harness.js";
import { stopPid } from "../src/vm/process.js";
import { accelLabel } from "../src/vm/qemu-argv.js";
import { startSession, type Disk, type Session } from "../src/vm/session.js";
import { ensureRegistry } from "../test/helpers/registry.js";
import { ensureTestImages } from "../test/helpers/test-image.js";

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const secs = (ms: number) => (ms / 1000).toFixed(1);
const STACK = ["stack_pull", "restore", "stack_start", "health"];

interface Run {
  label: string;
  s: Session;
  load: string;
}

const steps = (r: Run) => r.s.status?.steps ?? [];
const allMs = (r: Run) => steps(r).reduce((a, x) => a + x.ms, 0);
const stepMs = (r: Run, names: string[]) =>
  steps(r)
    .filter((x) => names.includes(x.name))
    .reduce((a, x) => a + x.ms, 0);
function cell(r: Run, name: string): string {
  const x = steps(r).find((y) => y.name === name);
  return x ? `${secs(x.ms)}${x.status === "ok" ? "" : ` (${x.status})`}` : "-";
}

function section(runs: Run[]): string {
  const [f, g] = runs as [Run, Run];
  const names = [...new Set(runs.flatMap((r) => steps(r).map((x) => x.name)))];
  return [
    "## Boot",
    "",
    `Measured ${new Date().toISOString().slice(0, 16)}Z by \`bench/boot.sh\` (re-run it to re-measure): the e2e selfmx-like stack`,
    `(test/e2e/fixtures/selfmx) on Debian 13, ${accelLabel(f.s.accel)}, 2 vCPUs, 2 GiB.`,
    "The host has 2 cores shared with other work: load average at the end of each boot is shown.",
    "Golden disk: the fresh VM after `cloud-init clean --logs`, empty machine-id, containers and",
    "volumes removed (packages, images and the runner's step fingerprints kept); its boot runs the same",
    "user-data again, and steps whose code, files and live state are unchanged report `skipped`.",
    "",
    `| seconds | ${runs.map((r) => r.label).join(" | ")} |`,
    `|---|${runs.map(() => "---:").join("|")}|`,
    `| launch to SSH | ${runs.map((r) => secs(r.s.boot.sshMs)).join(" | ")} |`,
    ...names.map((n) => `| step \`${n}\` | ${runs.map((r) => cell(r, n)).join(" | ")} |`),
    `| all firstboot steps | ${runs.map((r) => secs(allMs(r))).join(" | ")} |`,
    `| **launch to cloud-init done** | ${runs.map((r) => `**${secs(r.s.boot.readyMs)}**`).join(" | ")} |`,
    `| result | ${runs.map((r) => r.s.status?.result ?? "no status").join(" | ")} |`,
    `| load average | ${runs.map((r) => r.load).join(" | ")} |`,
    "",
    `Golden / fresh: ${(g.s.boot.readyMs / f.s.boot.readyMs).toFixed(2)} (goal: at most 0.25).`,
    "",
    `Where the golden boot's ${secs(g.s.boot.readyMs)} s go: ${secs(g.s.boot.sshMs)} s from launch to SSH (kernel, systemd, dockerd`,
    `starting), ${secs(stepMs(g, STACK))} s in the stack's own steps (${STACK.join(", ")}), ${secs(allMs(g) - stepMs(g, STACK))} s in the other`,
    `firstboot steps, and ${secs(g.s.boot.readyMs - g.s.boot.sshMs - allMs(g))} s in cloud-init's stages around the runner.`,
    "",
  ].join("\n");
}

function writeSection(text: string): void {
  const file = "BENCHMARKS.md";
  const old = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const re = /^## Boot\n[\s\S]*?(?=^## |(?![\s\S]))/m;
  writeFileSync(file, re.test(old) ? old.replace(re, text + "\n") : old.replace(/\n*$/, "\n\n") + text + "\n");
  process.stdout.write(text + "\n");
}

it("fresh first boot vs golden disk", async () => {
  const root = cacheRoot();
  const base = (await findBase(root, "trixie")) ?? (await buildBase(root, { ...DEFAULT_BASE, release: "trixie" }, log));
  const registry = await ensureRegistry(root);
  await ensureTestImages("127.0.0.1:5000", join(root, "images-work"), log);
  const opts = (vmName: string, disk?: Disk) => ({
    configPath: "test/e2e/fixtures/selfmx/firstboot.yaml",
    root,
    memoryMiB: 2048,
    cpus: 2,
    deadlineMs: 40 * 60_000,
    vmName,
    disk,
    say: log,
    onStep: (s: { name: string; status: string; ms: number }) =>
      log(`${vmName}: ${s.name} ${s.status} ${secs(s.ms)} s`),
  });
  const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0]!;
  const runs: Run[] = [];
  const fresh = await startSession(opts("bench-fresh"));
  runs.push({ label: "fresh (base image)", s: fresh, load: loadavg() });
  mkdirSync(join(root, "golden"), { recursive: true });
  const goldenDisk = join(root, "golden", "bench-selfmx.qcow2");
  await makeGolden(fresh.boot.vm, fresh.target, "/opt/selfmx", goldenDisk);
  const golden = await startSession(
    opts("bench-golden", { backing: goldenDisk, kernel: base.kernel, initrd: base.initrd }),
  );
  runs.push({ label: "golden disk", s: golden, load: loadavg() });
  await golden.boot.vm.stop();
  if (registry) await stopPid(registry, { marker: "docker-registry" });
  expect(runs.map((r) => r.s.status?.result)).toEqual(["ok", "ok"]);
  if (process.env.BENCH_WRITE) writeSection(section(runs));
});
