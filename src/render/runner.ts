// The first-boot runner: one script holding every step as a function. Each step runs in its
// own bash process so `set -e` holds inside it (bash ignores -e in functions called from `if`).
// Its result outlives the boot: a login banner while it failed or never finished, and a unit
// that fails at every boot until a run succeeded (snippets/README.md, "When the first boot fails").
import type { BootStep, ServerFile } from "./part.js";
import { compactScript, plainFile, snippet } from "./template.js";
import { internal } from "../catalogue.js";
import { RESULT_UNIT, RUNNER_PATH, unitPath } from "../server-contract.js";

/** The unit that reports the runner's recorded result at every boot (the runner enables it). */
export function resultUnitFile(): ServerFile {
  return { path: unitPath(RESULT_UNIT), content: plainFile("server/result.service"), mode: "0644" };
}

const STEP_NAME = /^[a-z][a-z0-9_]*$/;

export function runnerFile(name: string, steps: readonly BootStep[]): ServerFile {
  const seen = new Set<string>();
  for (const s of steps) {
    if (!STEP_NAME.test(s.name) || seen.has(s.name)) throw new Error(internal.badStepName(s.name));
    if (s.unchanged?.files.some((f) => !/^\/[\w./@+-]+$/.test(f))) throw new Error(internal.badWatchedPath(s.name));
    seen.add(s.name);
  }
  const body = snippet("server/runner.sh.hbs", {
    name,
    steps: steps.map((s) => ({
      name: s.name,
      script: s.script.trimEnd(),
      unchanged: s.unchanged && { files: s.unchanged.files.join(" "), check: s.unchanged.check.trim() },
    })),
    stepNames: steps.map((s) => s.name),
  });
  // Every byte counts against user-data's size: keep the shebang and the header line only.
  return { path: RUNNER_PATH, content: compactScript(body, 2), mode: "0700" };
}
