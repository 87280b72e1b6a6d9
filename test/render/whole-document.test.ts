// The whole rendered document, for every example on every target image: each shell script the
// server gets passes shellcheck, each systemd unit passes `systemd-analyze verify`, and the
// document passes the upstream cloud-init JSON schema.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemaProblems } from "../../scripts/check-user-data.mjs";
import { loadConfig, type Loaded } from "../../src/config/load.js";
import { render } from "../../src/render/index.js";
import { EXAMPLES, filesOf, ROOT, testEnv, type FileOnServer } from "../helpers/render.js";
import { tempDir, tool } from "./real-tools.js";

const TARGETS = [
  ["ubuntu-24.04", "cx23"],
  ["ubuntu-22.04", "cax21"],
  ["debian-12", "cpx22"],
  ["debian-13", "cax11"],
] as const;

async function load(name: string): Promise<Loaded> {
  const r = await loadConfig(join(ROOT, "examples", name, "firstboot.yaml"), { env: testEnv() });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.loaded;
}

function retarget(l: Loaded, image: string, type: string): Loaded {
  // Debian 12 has no compose v2 in its archive: the distro source is a validation error there.
  const docker =
    l.config.docker && image === "debian-12" ? { ...l.config.docker, source: "official" as const } : l.config.docker;
  return { ...l, config: { ...l.config, docker, server: { ...l.config.server, image, type } } };
}

const isUnit = (f: FileOnServer) => /^\/etc\/systemd\/system\/[^/]+\.(service|timer|socket|path)$/.test(f.path);
const shellOf = (f: FileOnServer) => /^#!\s*\/(usr\/)?bin\/(env )?(bash|sh)\b/.exec(f.content)?.[3];

/** Exec paths that do not exist on this host point at a stub, so verify checks the unit itself. */
async function verifyUnits(units: FileOnServer[]): Promise<string> {
  const t = tempDir("units");
  try {
    const stub = t.write("bin/stub", "#!/bin/sh\nexit 0\n");
    const paths = units.map((u) => {
      const text = u.content.replace(/^(Exec\w+=[-@:+!]*)(\/\S+)/gm, (m, pre: string, exe: string) =>
        existsSync(exe) ? m : pre + stub,
      );
      return t.write(u.path.split("/").pop()!, text, 0o644);
    });
    const r = await tool(["systemd-analyze", "verify", "--man=no", ...paths], {
      env: { SYSTEMD_LOG_LEVEL: "warning" },
    });
    // Units our own document does not ship (docker.service on a host without Docker) are fine.
    return (r.stdout + r.stderr)
      .split("\n")
      .filter((l) => l.trim() && !/Unit (docker|containerd|fail2ban)\.service not found|docker\.socket/.test(l))
      .join("\n");
  } finally {
    t.cleanup();
  }
}

describe.each(EXAMPLES)("example %s", (name) => {
  it.each(TARGETS)("on %s (%s): shellcheck, systemd-analyze verify, upstream schema", async (image, type) => {
    const out = render(retarget(await load(name), image, type));
    expect(jsonSchemaProblems(out.document)).toEqual([]);
    const files = filesOf(out.document);
    const scripts = files.filter(shellOf);
    expect(scripts.map((f) => f.path)).toContain("/usr/local/lib/firstboot/firstboot.sh");
    for (const f of scripts) {
      const r = await tool(["shellcheck", "-s", shellOf(f) === "sh" ? "sh" : "bash", "-"], { input: f.content });
      expect(`${f.path}\n${r.stdout}`).toBe(`${f.path}\n`);
    }
    const units = files.filter(isUnit);
    expect(units.map((u) => u.path)).toContain("/etc/systemd/system/firstboot-stack.service");
    expect(await verifyUnits(units)).toBe("");
  });
});

describe("the checks above can fail", () => {
  it("systemd-analyze verify reports a broken unit", async () => {
    const broken = {
      path: "/etc/systemd/system/x.service",
      mode: "0644",
      content: "[Unit]\nDescription=x\n[Service]\nExecStart=relative/path\nBogusKey=1\n",
    };
    expect(await verifyUnits([broken])).not.toBe("");
  });
  it("shellcheck reports an unquoted expansion", async () => {
    const r = await tool(["shellcheck", "-s", "bash", "-"], { input: "#!/bin/bash\nrm -rf $1/x\n" });
    expect(r.stdout).toContain("SC2086");
  });
});
