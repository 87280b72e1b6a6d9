// Issue 14: more than 120 hostile and malformed configs and compose apps through the real built
// CLI. Each is either refused (exit 2, `error[path]` with `--> file:line:col` and `= help:`, no
// stack trace, nothing written) or accepted with every byte reaching the server (see
// battery-harness.ts).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupCases } from "./battery-cases-backup.js";
import { composeCases } from "./battery-cases-compose.js";
import { sectionCases } from "./battery-cases-sections.js";
import { stackCases } from "./battery-cases-stack.js";
import { yamlCases } from "./battery-cases-yaml.js";
import { type Case, expectAccepted, expectRefused, type Outcome, runCase } from "./battery-harness.js";

const CASES: Case[] = [...yamlCases, ...sectionCases, ...backupCases, ...stackCases, ...composeCases];
const POOL = 2; // the CI machine has 2 cores

let root: string;
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  if (!existsSync(resolve(import.meta.dirname, "../../dist/cli.js"))) throw new Error("build the CLI first");
  root = mkdtempSync(join(tmpdir(), "firstboot-battery-"));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < CASES.length; i = next++) outcomes.set(CASES[i]!.name, await runCase(root, CASES[i]!, i));
  };
  await Promise.all(Array.from({ length: POOL }, worker));
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the battery", () => {
  it("has more than 120 distinct cases, both classes", () => {
    expect(CASES.length).toBeGreaterThan(120);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.filter((c) => c.expect === "accepted").length).toBeGreaterThan(20);
  });

  for (const c of CASES) {
    const label = c.expect === "accepted" ? "accepted" : `refused at ${c.expect.refused || "(any)"}`;
    it(`${c.name}: ${label}`, async () => {
      const o = outcomes.get(c.name)!;
      if (c.expect === "accepted") await expectAccepted(o);
      else expectRefused(o, c.expect.refused);
    }, 60_000);
  }
});
