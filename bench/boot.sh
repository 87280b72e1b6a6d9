#!/bin/bash
# Boot benchmark: the e2e selfmx-like stack's fresh first boot (from the base image) against a
# boot from a golden disk made from it (packages and images pre-installed), each broken down by
# firstboot step from /var/lib/firstboot/status.json. Rewrites the `## Boot` section of
# BENCHMARKS.md. Needs root (base image, registry, buildah) and about 15 minutes under TCG.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
export FIRSTBOOT_SECRET_APP_TOKEN=bench FIRSTBOOT_SECRET_BACKUP_KEY=unused-at-boot
FIRSTBOOT_SECRET_RESTORE_IDENTITY="$(grep '^AGE-SECRET-KEY-' examples/demo-identity.txt)"
export FIRSTBOOT_SECRET_RESTORE_IDENTITY
node --input-type=module - <<'JS'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { buildBase, findBase } from "./dist/vm/base-image.js";
import { DEFAULT_BASE } from "./dist/vm/base-image-plan.js";
import { cacheRoot } from "./dist/vm/cache.js";
import { makeGolden } from "./dist/vm/harness.js";
import { accelLabel } from "./dist/vm/qemu-argv.js";
import { ensureRegistry } from "./dist/vm/registry.js";
import { detectAccel, startSession } from "./dist/vm/session.js";
import { ensureTestImages } from "./dist/vm/test-image.js";

const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const root = cacheRoot();
const base = (await findBase(root, "trixie")) ?? (await buildBase(root, { ...DEFAULT_BASE, release: "trixie" }, log));
const registry = await ensureRegistry(root);
await ensureTestImages("127.0.0.1:5000", join(root, "images-work"), log);
const opts = (vmName, disk) => ({
  configPath: "test/e2e/fixtures/selfmx/firstboot.yaml", root, memoryMiB: 2048, cpus: 2, deadlineMs: 40 * 60_000,
  vmName, disk, say: log, onStep: (s) => log(`${vmName}: ${s.name} ${s.status} ${(s.ms / 1000).toFixed(1)} s`),
});
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
const runs = [];
const fresh = await startSession(opts("bench-fresh"));
runs.push({ label: "fresh (base image)", s: fresh, load: loadavg() });
mkdirSync(join(root, "golden"), { recursive: true });
const goldenDisk = join(root, "golden", "bench-selfmx.qcow2");
await makeGolden(fresh.boot.vm, fresh.target, "/opt/selfmx", goldenDisk);
const golden = await startSession(opts("bench-golden", { backing: goldenDisk, kernel: base.kernel, initrd: base.initrd }));
runs.push({ label: "golden disk", s: golden, load: loadavg() });
await golden.boot.vm.stop();
if (registry) process.kill(registry, "SIGTERM");

const secs = (ms) => (ms / 1000).toFixed(1);
const steps = [...new Set(runs.flatMap((r) => r.s.status?.steps.map((x) => x.name) ?? []))];
const cell = (r, name) => { const x = r.s.status?.steps.find((y) => y.name === name); return x ? `${secs(x.ms)}${x.status === "ok" ? "" : ` (${x.status})`}` : "-"; };
const STACK = ["stack_pull", "restore", "stack_start", "health"];
const allMs = (r) => (r.s.status?.steps ?? []).reduce((a, x) => a + x.ms, 0);
const stepMs = (r, names) => (r.s.status?.steps ?? []).filter((x) => names.includes(x.name)).reduce((a, x) => a + x.ms, 0);
const sum = (r) => secs((r.s.status?.steps ?? []).reduce((a, x) => a + x.ms, 0));
const [f, g] = runs;
const lines = [
  "## Boot",
  "",
  `Measured ${new Date().toISOString().slice(0, 16)}Z by \`bench/boot.sh\` (re-run it to re-measure): the e2e selfmx-like stack`,
  `(test/e2e/fixtures/selfmx) on Debian 13, ${accelLabel(fresh.accel)}, 2 vCPUs, 2 GiB.`,
  "The host has 2 cores shared with other work: load average at the end of each boot is shown.",
  "Golden disk: the fresh VM after `cloud-init clean --logs`, empty machine-id, containers and",
  "volumes removed (packages, images and the runner's step fingerprints kept); its boot runs the same",
  "user-data again, and steps whose code, files and live state are unchanged report `skipped`.",
  "",
  `| seconds | ${runs.map((r) => r.label).join(" | ")} |`,
  `|---|${runs.map(() => "---:").join("|")}|`,
  `| launch to SSH | ${runs.map((r) => secs(r.s.boot.sshMs)).join(" | ")} |`,
  ...steps.map((n) => `| step \`${n}\` | ${runs.map((r) => cell(r, n)).join(" | ")} |`),
  `| all firstboot steps | ${runs.map(sum).join(" | ")} |`,
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
];
const file = "BENCHMARKS.md";
const old = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
const re = /^## Boot\n[\s\S]*?(?=^## |(?![\s\S]))/m;
const section = lines.join("\n") + "\n";
writeFileSync(file, re.test(old) ? old.replace(re, section) : old.replace(/\n*$/, "\n\n") + section);
process.stdout.write(section);
JS
