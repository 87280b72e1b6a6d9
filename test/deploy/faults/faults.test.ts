// The fault-injection matrix over build-image, up, replace, rollback and gc (see matrix.ts).
// `make test` runs the slice in slice.ts; FIRSTBOOT_FAULTS=full (`make faults`) runs all of it.
import { afterAll, describe, expect, it } from "vitest";
import { baseline, runScenario, scenarios, type Scenario } from "./matrix.js";
import { SLICE } from "./slice.js";
import { WORKFLOWS } from "./workflows.js";

const FULL = process.env.FIRSTBOOT_FAULTS === "full";
const all: Scenario[] = [];
for (const wf of WORKFLOWS) all.push(...scenarios(wf, await baseline(wf)));
const chosen = FULL ? all : all.filter((s) => s.key in SLICE);
const tally = { run: 0, held: 0, violated: 0, lines: [] as string[] };

afterAll(() => {
  const mode = FULL ? "full matrix" : "slice";
  console.log(
    `faults (${mode}): ${tally.run} scenarios run, ${tally.held} held every invariant, ${tally.violated} violated (${tally.lines.length} violations)` +
      (tally.lines.length ? "\n  " + tally.lines.join("\n  ") : ""),
  );
});

it("every scenario the slice table names exists in the matrix", () => {
  const keys = new Set(all.map((s) => s.key));
  expect(Object.keys(SLICE).filter((k) => !keys.has(k))).toEqual([]);
});

describe.each(WORKFLOWS.map((w) => [w.name, w] as const))("%s", (name) => {
  for (const s of chosen.filter((x) => x.workflow.name === name)) {
    const exp = SLICE[s.key];
    const test = exp && exp !== "holds" ? it.fails : it;
    test(s.title, async () => {
      const res = await runScenario(s);
      tally.run++;
      if (res.violations.length) tally.violated++;
      else tally.held++;
      tally.lines.push(...res.violations);
      expect(res.violations).toEqual([]);
    });
  }
});
