// The status probe is one read-only bash script: shellchecked, then run for real against a fake
// root (paths as arguments, a fake `docker` on PATH printing real `docker compose ps --format
// json` output: one object per line since Compose 2.21, an array before; the array sample is the
// docker output quoted in containerd/nerdctl#1567), and its answer read back by the parsers.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROBE_SCRIPT, probeArgs, probeCommand, probePaths, type ProbePaths } from "../../src/deploy/status-probe.js";
import {
  parseBackupLast,
  parseBoot,
  parseComposePs,
  parseHashes,
  parseProbeAnswer,
} from "../../src/deploy/status-parse.js";
import { drift } from "../../src/deploy/status.js";

const SAMPLES = "test/fixtures/compose-ps";
const sample = (f: string) => readFileSync(join(SAMPLES, f), "utf8");

function fakeRoot(docker: string | undefined): { paths: ProbePaths; env: NodeJS.ProcessEnv; root: string } {
  const root = mkdtempSync(join(tmpdir(), "fb-probe-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  mkdirSync(join(root, "opt", "selfmx"), { recursive: true });
  if (docker !== undefined) {
    writeFileSync(join(root, "ps.out"), docker);
    const script = `#!/bin/sh\n[ "$*" = "compose -p selfmx ps --all --format json" ] || exit 9\n[ "$PWD" = "${root}/opt/selfmx" ] || exit 8\ncat "${root}/ps.out"\n`;
    writeFileSync(join(bin, "docker"), script);
    chmodSync(join(bin, "docker"), 0o755);
  }
  const p = (f: string) => join(root, f);
  const paths: ProbePaths = {
    statusFile: p("status.json"),
    stackDir: p("opt/selfmx"),
    project: "selfmx",
    backupConf: p("backup.conf"),
    backupLast: p("backup-last.json"),
    configHash: p("config.sha256"),
  };
  // No docker at all: a PATH with only the tools the script uses (the system's may have a docker).
  if (docker === undefined)
    for (const tool of ["head", "tr", "sed", "awk", "date"]) {
      const at = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(at, join(bin, tool));
    }
  const path = docker === undefined ? bin : `${bin}:${process.env.PATH}`;
  return { paths, env: { PATH: path }, root };
}

function probe(paths: ProbePaths, env: NodeJS.ProcessEnv): string {
  const r = spawnSync("/bin/bash", ["-c", PROBE_SCRIPT, "firstboot-status", ...probeArgs(paths)], {
    env,
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("the status probe", () => {
  it("passes shellcheck", () => {
    const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: PROBE_SCRIPT, encoding: "utf8" });
    expect(r.error, "apt-get install shellcheck").toBeUndefined();
    expect(r.stdout).toBe("");
  });

  it("reads boot status, compose (one object per line), last backup and config hash", () => {
    const { paths, env } = fakeRoot(sample("ndjson.txt"));
    const boot = { name: "selfmx", result: "ok", steps: [{ name: "docker", status: "ok", ms: 41000 }] };
    writeFileSync(paths.statusFile, JSON.stringify(boot) + "\n");
    writeFileSync(paths.backupConf, "NAME=selfmx\n");
    const last =
      '{"result":"ok","archive":"selfmx-20250110T030000Z-1a2b3c4d","bytes":52311,"target":"target:backups/selfmx","uploaded":true,"started":1736478000,"finished":1736478012}\n';
    writeFileSync(paths.backupLast, last);
    writeFileSync(paths.configHash, `config ${"a".repeat(64)}\nsecrets ${"b".repeat(64)}\n`);
    const a = parseProbeAnswer(probe(paths, env))!;
    expect(a.now).toBeGreaterThan(1_700_000_000);
    expect(parseBoot(a.boot)).toEqual({ result: "ok", steps: boot.steps });
    expect(a.servicesExit).toBe(0);
    expect(parseComposePs(a.services!)).toEqual([
      { service: "app", container: "selfmx-app-1", state: "running", health: "healthy" },
      { service: "caddy", container: "selfmx-caddy-1", state: "running", health: "" },
    ]);
    expect(a.backupConfigured).toBe(true);
    expect(parseBackupLast(a.backup!)).toMatchObject({ result: "ok", bytes: 52311, finished: 1736478012 });
    expect(parseHashes(a.config)).toEqual({ config: "a".repeat(64), secrets: "b".repeat(64) });
  });

  it("carries awkward text intact and reports what is missing as null", () => {
    const { paths, env } = fakeRoot(sample("array.txt"));
    const odd = 'tab\there "quoted" back\\slash\r\nbell\u0007 ünï\n';
    writeFileSync(paths.statusFile, odd);
    const a = parseProbeAnswer(probe(paths, env))!;
    expect(a.boot).toBe('tab\there "quoted" back\\slash\nbell ünï');
    expect(parseBoot(a.boot)).toBeUndefined();
    expect(parseComposePs(a.services!)?.map((s) => `${s.service}:${s.state}`)).toEqual([
      "db:running",
      "wordpress:exited",
    ]);
    expect([a.backup, a.config, a.backupConfigured]).toEqual([null, null, false]);
  });

  it("says so when docker is missing or compose fails", () => {
    const none = fakeRoot(undefined);
    const a = parseProbeAnswer(probe(none.paths, none.env))!;
    expect([a.services, a.servicesExit]).toEqual([null, 127]);
    const broken = fakeRoot("");
    writeFileSync(
      join(broken.root, "bin", "docker"),
      "#!/bin/sh\necho 'no configuration file provided: not found' >&2\nexit 14\n",
    );
    const b = parseProbeAnswer(probe(broken.paths, broken.env))!;
    expect(b.servicesExit).toBe(14);
    expect(b.services).toContain("no configuration file provided");
    expect(parseComposePs(b.services!)).toBeUndefined();
  });

  it("sends the script and its arguments quoted, as root", () => {
    const cmd = probeCommand(probePaths("selfmx"));
    expect(cmd.startsWith("'sudo' '-n' 'bash' '-c' 'set -u")).toBe(true);
    expect(
      cmd.endsWith(
        "'firstboot-status' '/var/lib/firstboot/status.json' '/opt/selfmx' 'selfmx' '/etc/firstboot/backup.conf' '/var/lib/firstboot/backup-last.json' '/etc/firstboot/config.sha256'",
      ),
    ).toBe(true);
    const r = spawnSync("sh", ["-c", `set -- ${cmd.replace(/^'sudo' '-n' /, "")}; printf '%s' "$3"`], {
      encoding: "utf8",
    });
    expect(r.stdout).toBe(PROBE_SCRIPT);
  });
});

describe("the parsers", () => {
  it("take partial or foreign input as unknown, never throw", () => {
    expect(parseProbeAnswer('{"v":1,"now":17')).toBeUndefined();
    expect(parseProbeAnswer("sudo: a password is required")).toBeUndefined();
    expect(parseProbeAnswer('{"v":1}')).toEqual({});
    expect(parseComposePs("")).toEqual([]);
    expect(parseComposePs('{"Service":"app","State":"running"}\n{"Serv')).toEqual([
      { service: "app", container: "app", state: "running", health: "" },
    ]);
    expect(parseBackupLast('{"result":"running","archive":"x","bytes":null,"finished":null}')).toMatchObject({
      result: "running",
      bytes: undefined,
      finished: undefined,
    });
    expect(parseBackupLast("[]")).toBeUndefined();
    expect(parseHashes("config xyz\n")).toEqual({ config: undefined, secrets: undefined });
  });
});

describe("drift", () => {
  const [a, b] = ["a".repeat(64), "b".repeat(64)];
  it("matches only when every hash both sides have agrees", () => {
    expect(drift({ config: a, secrets: b }, { config: a, secrets: b })).toEqual({ hash: a, drift: "matches" });
    // A rotated secret: the redacted render is the same, the one with secrets is not.
    expect(drift({ config: a, secrets: b }, { config: a, secrets: a })).toEqual({ hash: a, drift: "differs" });
    expect(drift({ config: a, secrets: b }, { config: b, secrets: b })).toEqual({ hash: a, drift: "differs" });
    // Secrets the workstation cannot render: the redacted hash decides.
    expect(drift({ config: a, secrets: b }, { config: a })).toEqual({ hash: a, drift: "matches" });
    expect(drift({}, { config: a, secrets: b })).toEqual({ hash: "unknown", drift: "unknown" });
  });
});
