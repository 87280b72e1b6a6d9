// `docker compose config` on the stack directory the server gets. This machine has no compose
// v2, so a stand-in `docker` on PATH answers as compose does (its error text is compose's own,
// from its issue tracker); the real call runs in the VM e2e. The builder, the private temp dir,
// the clean environment and the mapping of compose's message are checked against it.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  composeConfigArgv,
  composeConfigCheck,
  composeEnv,
  mapComposeError,
  stackTree,
} from "../src/compose-config.js";
import { formatDiagnostics } from "../src/config/diagnostics.js";
import { parseSource } from "../src/config/source.js";
import { run } from "../src/exec.js";
import { ROOT, testEnv, tmp } from "./helpers/render.js";
import { config, folder, loaded } from "./config/compose-helpers.js";

const COMPOSE = "services:\n  app:\n    image: nginx:1.27.3\n    volumes: [data:/data]\n";
const VOLUME_ERROR = 'service "app" refers to undefined volume data: invalid compose project';

/** A `docker` that logs each call next to itself and answers like compose v2 (or, with `old`, lacks it). */
function fakeDocker(old = false): { bin: string; log: string } {
  const bin = join(tmp("fake-docker-"), "bin");
  mkdirSync(bin);
  const log = join(bin, "..", "calls.log");
  writeFileSync(
    join(bin, "docker"),
    `#!/bin/sh
echo "argv: $*" >> ${log}
echo "env: $(env | cut -d= -f1 | sort | tr '\\n' ' ')" >> ${log}
if [ "$1 $2" = "compose version" ]; then
  ${old ? "echo \"docker: 'compose' is not a docker command.\" >&2; exit 1" : 'echo "Docker Compose version v2.29.7"; exit 0'}
fi
echo "dir: $PWD $(stat -c %a .) env-mode: $(stat -c %a .env) files: $(find . -type f | sort | tr '\\n' ' ')" >> ${log}
if ! grep -q '^volumes:' compose.yaml; then echo '${VOLUME_ERROR}' >&2; exit 15; fi
if grep -q leak compose.yaml; then
  echo "time=\\"2024-01-01T00:00:00Z\\" level=warning msg=\\"$PWD/compose.yaml: the attribute version is obsolete\\"" >&2
  echo "error while interpolating services.app.environment.TOKEN: required variable TOKEN is missing a value: $(sed -n "s/^TOKEN='\\(.*\\)'$/\\1/p" .env)" >&2
  exit 1
fi
exit 0
`,
  );
  chmodSync(join(bin, "docker"), 0o755);
  return { bin, log };
}

// COMPOSE_FILE in the user's shell must not reach the check (the server's unit has none).
const pathWith = (bin: string) => ({ ...testEnv(), COMPOSE_FILE: "other.yaml", PATH: `${bin}:${process.env.PATH}` });

describe("the command, as data", () => {
  it("runs like the server's unit: in the stack directory, the project named after the stack", () => {
    expect(composeConfigArgv("shop")).toEqual(["docker", "compose", "--project-name", "shop", "config", "--quiet"]);
  });

  it("passes docker only what finds it and its plugins, never COMPOSE_* or the secrets", () => {
    const env = { PATH: "/bin", HOME: "/h", DOCKER_CONFIG: "/d", COMPOSE_FILE: "x.yaml", FIRSTBOOT_SECRET_A: "s" };
    expect(composeEnv(env)).toEqual({ PATH: "/bin", HOME: "/h", DOCKER_CONFIG: "/d" });
  });

  it("writes the stack directory as the renderer does: .env root-only with the secrets", async () => {
    const dir = folder({
      "firstboot.yaml": config("  env:\n    TOKEN: { secret: token }\n"),
      "compose.yaml": `${COMPOSE}    env_file: app.env\nvolumes:\n  data:\n`,
      "app.env": "A=1\n",
    });
    const tree = stackTree(await loaded(dir, { FIRSTBOOT_SECRET_TOKEN: "s3cr3t" }));
    expect(tree.map((f) => `${f.path} ${f.mode}`)).toEqual(["compose.yaml 0644", ".env 0600", "app.env 0600"]);
    expect(tree[1]!.content).toBe("TOKEN='s3cr3t'\n");
  });
});

describe("compose's message, in firstboot's format", () => {
  const compose = parseSource("compose.yaml", COMPOSE);
  const map = (out: string) => mapComposeError(out, { dirs: ["/tmp/fb-x"], compose, secrets: ["hunter22"] });

  it("points at the service it names", () => {
    const d = map(`${VOLUME_ERROR}\n`);
    expect(formatDiagnostics([d])).toBe(
      `error[stack.compose]: \`docker compose config\` rejects the stack the server gets: ${VOLUME_ERROR}
  --> compose.yaml:2:3
  |
2 |   app:
  |   ^^^
  = help: fix the compose file (the quoted text is docker compose's own message, secrets removed)
`,
    );
  });

  it("points at the line of a YAML error, drops warnings, the temp dir and every secret", () => {
    const d = map(
      "WARN[0000] /tmp/fb-x/compose.yaml: `version` is obsolete\nyaml: line 3: mapping values are not allowed in this context (hunter22)\n",
    );
    expect(d).toMatchObject({ line: 3, col: 1 });
    expect(d.message).toContain("yaml: line 3: mapping values are not allowed in this context ([redacted])");
    expect(d.message).not.toContain("/tmp/fb-x");
    expect(map("open /tmp/fb-x/app.env: no such file or directory")).toMatchObject({ line: 0, file: "compose.yaml" });
    // The line of an included file is not a line of compose.yaml.
    expect(map("parsing /tmp/fb-x/db/compose.yaml: yaml: line 2: did not find expected key")).toMatchObject({
      line: 0,
    });
    expect(map("open /tmp/fb-x/app.env: no such file or directory").message).toContain("open app.env: no such file");
  });
});

describe("with a docker on PATH", () => {
  it("reports compose's error, after running in a private temp dir that is removed", async () => {
    const { bin, log } = fakeDocker();
    const dir = folder({ "firstboot.yaml": config(), "compose.yaml": COMPOSE });
    const r = await composeConfigCheck(await loaded(dir), { env: pathWith(bin) });
    expect(r.kind).toBe("failed");
    if (r.kind !== "failed") return;
    expect(r.diagnostics[0]).toMatchObject({ path: "stack.compose", line: 2, col: 3 });
    expect(r.diagnostics[0]!.message).toContain(VOLUME_ERROR);
    const calls = readFileSync(log, "utf8");
    expect(calls).toContain("argv: compose version\n");
    expect(calls).toContain("argv: compose --project-name demo config --quiet\n");
    expect(calls).toMatch(/env: HOME PATH PWD /);
    expect(calls).not.toMatch(/COMPOSE_FILE|FIRSTBOOT/);
    const [, tempDir, mode, envMode] = /dir: (\S+) (\d+) env-mode: (\d+)/.exec(calls)!;
    expect([mode, envMode]).toEqual(["700", "600"]);
    expect(existsSync(tempDir!)).toBe(false);
  });

  it("passes a stack compose accepts, and never prints a secret compose echoes", async () => {
    const { bin } = fakeDocker();
    const ok = folder({ "firstboot.yaml": config(), "compose.yaml": `${COMPOSE}volumes:\n  data:\n` });
    expect((await composeConfigCheck(await loaded(ok), { env: pathWith(bin) })).kind).toBe("ok");
    const leak = folder({
      "firstboot.yaml": config("  env:\n    TOKEN: { secret: token }\n"),
      "compose.yaml": `${COMPOSE}    environment: { X: leak }\nvolumes:\n  data:\n`,
    });
    const r = await composeConfigCheck(await loaded(leak, { FIRSTBOOT_SECRET_TOKEN: "s3cr3t-value" }), {
      env: pathWith(bin),
    });
    const text = r.kind === "failed" ? formatDiagnostics(r.diagnostics) : "";
    expect(text).toContain("required variable TOKEN is missing a value: [redacted]");
    expect(text).not.toContain("s3cr3t-value");
    expect(text).not.toContain("level=warning");
  });

  it("is skipped when docker has no compose v2, or there is no docker", async () => {
    const dir = folder({ "firstboot.yaml": config(), "compose.yaml": COMPOSE });
    const l = await loaded(dir);
    expect((await composeConfigCheck(l, { env: pathWith(fakeDocker(true).bin) })).kind).toBe("skipped");
    expect((await composeConfigCheck(l, { env: { PATH: "/nonexistent" } })).kind).toBe("skipped");
  });

  it("validate exits 2 with compose's error, or notes in one line that the check was skipped", async () => {
    const { bin } = fakeDocker();
    const dir = folder({ "firstboot.yaml": config(), "compose.yaml": COMPOSE });
    const cli = (PATH: string) =>
      run([process.execPath, join(ROOT, "bin/firstboot.js"), "validate", join(dir, "firstboot.yaml")], {
        env: { ...testEnv(), PATH },
        allowFailure: true,
      });
    const bad = await cli(`${bin}:${process.env.PATH}`);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("error[stack.compose]: `docker compose config` rejects the stack the server gets");
    expect(bad.stderr).toContain("1 problem found");
    const none = await cli("/nonexistent");
    expect(none.exitCode, none.stderr).toBe(0);
    expect(none.stderr).toBe(
      "note: `docker compose config` did not run (no docker with compose v2 here); firstboot's own compose checks passed\n",
    );
  });
});
