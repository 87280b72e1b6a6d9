// Ctrl-C reaches the programs firstboot runs: src/exec.ts kills an abortable program's whole
// process group (here a shell and the `sleep`s it started) within moments of the abort.
import { expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, spawnPiped } from "../src/exec.js";

const alive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (cond()) return true;
  return cond();
}

/** A shell that writes its pid (= its process group, as exec.ts starts it detached) and sleeps in two processes. */
function sleeper(): { argv: string[]; pgid: () => number | undefined } {
  const file = join(mkdtempSync(join(tmpdir(), "fb-abort-")), "pid");
  const argv = ["sh", "-c", `echo $$ > ${file}; sleep 60 & sleep 60; wait`];
  return { argv, pgid: () => (existsSync(file) ? Number(readFileSync(file, "utf8")) || undefined : undefined) };
}

it("run: aborting kills `sleep 60` and its process group within 2 s and rejects with the abort", async () => {
  const s = sleeper();
  const abort = new AbortController();
  const p = run(s.argv, { signal: abort.signal, allowFailure: true, timeoutMs: 120_000 });
  const settled = p.catch((e: unknown) => e);
  expect(await until(() => s.pgid() !== undefined, 5000)).toBe(true);
  const pgid = s.pgid()!;
  expect(alive(pgid)).toBe(true);
  const t0 = Date.now();
  abort.abort();
  const err = await settled;
  expect(Date.now() - t0).toBeLessThan(2000);
  expect((err as Error).name).toBe("AbortError");
  expect(await until(() => !alive(pgid), 2000)).toBe(true);
}, 15_000);

it("run: an already aborted signal never leaves the program running", async () => {
  const abort = new AbortController();
  abort.abort();
  const t0 = Date.now();
  await expect(run(["sleep", "60"], { signal: abort.signal })).rejects.toMatchObject({ name: "AbortError" });
  expect(Date.now() - t0).toBeLessThan(2000);
});

it("spawnPiped: aborting ends the program and its group; its result resolves", async () => {
  const s = sleeper();
  const abort = new AbortController();
  const piped = spawnPiped(s.argv, { signal: abort.signal });
  expect(await until(() => s.pgid() !== undefined, 5000)).toBe(true);
  const pgid = s.pgid()!;
  const t0 = Date.now();
  abort.abort();
  const r = await piped.result;
  expect(r.exitCode).not.toBe(0);
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(await until(() => !alive(pgid), 2000)).toBe(true);
}, 15_000);

it("without a signal a program runs to its end as before", async () => {
  expect(await run(["sh", "-c", "echo ok"])).toEqual({ exitCode: 0, stdout: "ok\n", stderr: "" });
});
