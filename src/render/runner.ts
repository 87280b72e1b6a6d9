// The first-boot runner: one script holding every step as a function. Each step runs in its
// own bash process so `set -e` holds inside it (bash ignores -e in functions called from `if`).
import type { ServerFile, Step } from "./part.js";
import { snippet } from "./template.js";

export const RUNNER_PATH = "/usr/local/lib/firstboot/firstboot.sh";

const STEP_NAME = /^[a-z][a-z0-9_]*$/;

export function runnerFile(name: string, steps: readonly Step[]): ServerFile {
  const seen = new Set<string>();
  for (const s of steps) {
    if (!STEP_NAME.test(s.name) || seen.has(s.name)) throw new Error(`bad or duplicate step name ${s.name}`);
    seen.add(s.name);
  }
  const body = snippet("runner.sh.hbs", {
    name,
    steps: steps.map((s) => ({ name: s.name, script: s.script.trimEnd() })),
    stepNames: steps.map((s) => s.name),
  });
  return { path: RUNNER_PATH, content: body, mode: "0700" };
}
