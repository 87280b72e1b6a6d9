// Runs the real rendered runner with bash in a temp dir: its status file, login banner and applied
// fingerprints redirected there, and `systemctl` (and any other program named in `shims`) a
// stand-in on PATH that logs its arguments, so the host's systemd is never touched.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type RunResult } from "../../src/exec.js";
import type { BootStep } from "../../src/render/part.js";
import { runnerFile } from "../../src/render/runner.js";
import { tmp } from "../helpers/render.js";

export interface RunnerRun extends RunResult {
  dir: string;
  status: { result: string; steps: { name: string; status: string; ms: number }[] };
  /** The login banner's text, or undefined when there is none. */
  banner: string | undefined;
  bannerPath: string;
  /** Every systemctl call, one line each. */
  systemctl: string[];
}

function envFor(dir: string, shims: Record<string, string>): NodeJS.ProcessEnv {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const all = { systemctl: "exit 0", ...shims };
  for (const [name, body] of Object.entries(all))
    writeFileSync(join(bin, name), `#!/bin/sh\necho "$*" >>"${dir}/${name}.log"\n${body}\n`, { mode: 0o755 });
  return {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    FIRSTBOOT_STATUS: join(dir, "state", "status.json"),
    FIRSTBOOT_APPLIED: join(dir, "applied"),
    FIRSTBOOT_BANNER: join(dir, "motd.d", "firstboot"),
  };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

/** Run the runner made of `steps` (args: e.g. ["__result"]); `shims` replace programs by shell bodies. */
export async function runSteps(
  steps: BootStep[],
  o: { dir?: string; name?: string; args?: string[]; shims?: Record<string, string> } = {},
): Promise<RunnerRun> {
  const dir = o.dir ?? tmp();
  const script = join(dir, "firstboot.sh");
  writeFileSync(script, runnerFile(o.name ?? "demo", steps).content);
  chmodSync(script, 0o700);
  const env = envFor(dir, o.shims ?? {});
  const r = await run([script, ...(o.args ?? [])], { allowFailure: true, env });
  const bannerPath = env.FIRSTBOOT_BANNER!;
  const statusFile = env.FIRSTBOOT_STATUS!;
  return {
    ...r,
    dir,
    status: existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, "utf8")) : undefined,
    banner: existsSync(bannerPath) ? readFileSync(bannerPath, "utf8") : undefined,
    bannerPath,
    systemctl: lines(join(dir, "systemctl.log")),
  };
}

/** What the result unit's ExecStart (`firstboot.sh __result`) says for the run recorded in `dir`. */
export const resultOf = (steps: BootStep[], dir: string) => runSteps(steps, { dir, args: ["__result"] });
