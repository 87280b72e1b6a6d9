// The fake SSH's answer to `firstboot status`'s probe: the real probe script, run against a fake
// root made from what the fake knows of the server: the files its user-data puts there (config
// hash, backup settings, read the way cloud-init reads them), the runner's status as the fake
// reports it, its backups, and a `docker` printing real `compose ps --format json` lines for a
// stack that runs (none for a stopped one).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunResult } from "../../src/exec.js";
import { PROBE_SCRIPT, probeArgs, probeCommand, probePaths, type ProbePaths } from "../../src/deploy/status-probe.js";
import { BACKUP_CONF, CONFIG_HASH_FILE } from "../../src/server-contract.js";
import { serverFiles } from "../helpers/cloud-init-files.js";

export const isProbe = (command: string): boolean => command.startsWith("'sudo' '-n' 'bash' '-c' 'set -u");

export interface ProbedServer {
  stackName: string;
  userData: string;
  stack: "running" | "stopped";
  boot: string;
  /** The name of the last backup archive, if any. */
  lastBackup?: string;
}

function rooted(root: string, name: string): ProbePaths {
  const p = probePaths(name);
  const at = (path: string) => join(root, path);
  return {
    ...p,
    statusFile: at(p.statusFile),
    stackDir: at(p.stackDir),
    backupConf: at(p.backupConf),
    backupLast: at(p.backupLast),
    configHash: at(p.configHash),
  };
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
}

export function fakeProbe(s: ProbedServer, command: string): RunResult {
  if (command !== probeCommand(probePaths(s.stackName)))
    return { exitCode: 127, stdout: "", stderr: `fake remote: not the probe of ${s.stackName}` };
  const root = mkdtempSync(join(tmpdir(), "fb-fake-probe-"));
  const paths = rooted(root, s.stackName);
  const files = serverFiles(s.userData);
  write(paths.statusFile, s.boot);
  mkdirSync(paths.stackDir, { recursive: true });
  const hash = files.get(CONFIG_HASH_FILE);
  if (hash) write(paths.configHash, hash);
  if (files.has(BACKUP_CONF)) write(paths.backupConf, "");
  if (s.lastBackup)
    write(
      paths.backupLast,
      JSON.stringify({
        result: "ok",
        archive: s.lastBackup,
        bytes: 52311,
        target: "target:backups/x",
        uploaded: true,
        started: 1767225500,
        finished: 1767225600,
      }),
    );
  const lines = readFileSync("test/fixtures/compose-ps/ndjson.txt", "utf8").replaceAll("selfmx", s.stackName);
  write(join(root, "ps.out"), s.stack === "running" ? lines : "");
  write(join(root, "bin", "docker"), `#!/bin/sh\ncat "${root}/ps.out"\n`);
  chmodSync(join(root, "bin", "docker"), 0o755);
  const r = spawnSync("/bin/bash", ["-c", PROBE_SCRIPT, "firstboot-status", ...probeArgs(paths)], {
    env: { PATH: `${root}/bin:/usr/bin:/bin` },
    encoding: "utf8",
  });
  return { exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
