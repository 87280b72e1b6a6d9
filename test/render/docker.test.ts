// docker: defaults and switches, daemon.json as data, packages per image, and the apt-repository
// step run for real (curl over real https from a local server, real gpg fingerprint check,
// deb822 source parsed by the real apt-get).
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dockerSchema, type DockerInput } from "../../src/config/schema-docker.js";
import {
  DAEMON_JSON,
  DOCKER_KEY_FINGERPRINT,
  dockerPackages,
  dockerParts,
  dockerRepoStep,
} from "../../src/render/docker.js";
import { allScripts, ctxFor, fileOf, IMAGES, need, shellcheckStep, tempDir, tool } from "./real-tools.js";

// Real tools (ufw, fail2ban, sshd, gpg, namespaces) take seconds when the machine is busy.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const render = (input: DockerInput | undefined, image = "ubuntu-24.04", user: string | null = "deploy") =>
  dockerParts(dockerSchema.parse(input), ctxFor(image, user));

describe("docker defaults and switches", () => {
  it("is on by default: official repo, log rotation 10m x 3, live-restore", () => {
    expect(dockerSchema.parse(undefined)).toEqual({
      source: "official",
      log: { max_size: "10m", max_file: 3 },
      live_restore: true,
      insecure_registries: [],
    });
    const [part] = render(undefined);
    expect(part!.steps!.map((s) => s.name)).toEqual(["docker_repo", "docker_packages", "docker"]);
    expect(part!.packages, "installed by its own step, after the hardening").toBeUndefined();
    expect(part!.lockdown).toBeUndefined();
    expect(JSON.parse(fileOf(render(undefined), DAEMON_JSON)!.content)).toEqual({
      "log-driver": "json-file",
      "log-opts": { "max-size": "10m", "max-file": "3" },
      "live-restore": true,
    });
  });

  it("false removes Docker entirely; distro removes the repository step", () => {
    expect(render(false)).toEqual([]);
    expect(render({ source: "distro" })[0]!.steps!.map((s) => s.name)).toEqual(["docker_packages", "docker"]);
  });

  it("daemon.json is written by write_files (before packages) and carries insecure registries", () => {
    const f = fileOf(
      render({ insecure_registries: ["10.0.2.2:5000"], live_restore: false, log: { max_size: "50m", max_file: 5 } }),
      DAEMON_JSON,
    )!;
    expect(f.defer).toBeUndefined();
    expect(JSON.parse(f.content)).toMatchObject({
      "insecure-registries": ["10.0.2.2:5000"],
      "live-restore": false,
      "log-opts": { "max-size": "50m", "max-file": "5" },
    });
    expect(dockerSchema.safeParse({ insecure_registries: ["http://x"] }).success).toBe(false);
  });

  it("adds the admin user to the docker group after install, only when there is one", () => {
    const docker = (user: string | null) =>
      render(undefined, "ubuntu-24.04", user)[0]!.steps!.find((s) => s.name === "docker")!;
    expect(docker("deploy").script).toContain("usermod -aG docker 'deploy'");
    expect(docker(null).script).not.toContain("usermod");
  });
});

describe("packages per source and image", () => {
  it("official: Docker's packages everywhere", () => {
    for (const image of Object.values(IMAGES))
      expect(dockerPackages("official", image)).toContain("docker-compose-plugin");
  });
  it("distro: compose v2 and, on trixie without Recommends, the CLI and apparmor", () => {
    expect(dockerPackages("distro", IMAGES["debian-13"]!)).toEqual([
      "docker.io",
      "docker-cli",
      "docker-compose",
      "apparmor",
    ]);
    expect(dockerPackages("distro", IMAGES["ubuntu-24.04"]!)).toEqual(["docker.io", "docker-compose-v2", "apparmor"]);
    expect(() => dockerPackages("distro", IMAGES["debian-12"]!)).toThrow(/Debian 12 has no compose v2/);
  });
});

describe("docker steps pass shellcheck", () => {
  it("on every image and source", async () => {
    for (const image of Object.keys(IMAGES)) {
      for (const source of ["official", "distro"] as const) {
        if (source === "distro" && image === "debian-12") continue;
        for (const s of allScripts(render({ source }, image))) {
          const r = await shellcheckStep(s.script);
          expect(r.exitCode, `${s.name} ${image}: ${r.stdout}${r.stderr}`).toBe(0);
        }
      }
    }
  });
});

/** A throwaway gpg key: [armored public key, fingerprint]. */
async function gpgKey(uid: string): Promise<[string, string]> {
  const home = tempDir("gpg");
  try {
    const env = { GNUPGHOME: home.dir };
    const gen = await tool(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"], {
      env,
    });
    expect(gen.exitCode, gen.stderr).toBe(0);
    const armored = (await tool(["gpg", "--batch", "--armor", "--export", uid], { env })).stdout;
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(
      (await tool(["gpg", "--batch", "--with-colons", "--fingerprint", uid], { env })).stdout,
    )![1]!;
    return [armored, fpr];
  } finally {
    home.cleanup();
  }
}

describe("docker_repo step (real curl over https, real gpg, real apt)", () => {
  let server: Server;
  let base = "";
  let served = "";
  let keyA: [string, string];
  let keyB: [string, string];
  const tls = tempDir("tls");

  beforeAll(async () => {
    await need("curl");
    const r = await tool([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      `${tls.dir}/k.pem`,
      "-out",
      `${tls.dir}/c.pem`,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    server = createServer(
      { key: readFileSync(`${tls.dir}/k.pem`), cert: readFileSync(`${tls.dir}/c.pem`) },
      (req, res) => {
        res.writeHead(req.url === "/linux/debian/gpg" ? 200 : 404).end(req.url === "/linux/debian/gpg" ? served : "");
      },
    );
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/linux/debian`;
    keyA = await gpgKey("Test A <a@example.invalid>");
    keyB = await gpgKey("Test B <b@example.invalid>");
  });
  afterAll(() => {
    server?.close();
    tls.cleanup();
  });

  async function runStep(key: string, fingerprint: string, url = base) {
    served = key;
    const t = tempDir("repo");
    const step = dockerRepoStep({
      image: IMAGES["debian-13"]!,
      url,
      fingerprint,
      keyPath: `${t.dir}/keyrings/docker.asc`,
      sourcesDir: `${t.dir}/sources`,
    });
    const r = await tool(["bash", "-c", `set -euo pipefail\nstep() {\n${step.script}\n}\nstep`], {
      env: { CURL_CA_BUNDLE: `${tls.dir}/c.pem` },
    });
    return { r, t, key: `${t.dir}/keyrings/docker.asc`, sources: `${t.dir}/sources/docker.sources` };
  }

  it("trusts a key with the pinned fingerprint and writes a deb822 source with Signed-By", async () => {
    const { r, t, key, sources } = await runStep(keyA[0], keyA[1]);
    try {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(readFileSync(key, "utf8")).toBe(keyA[0]);
      expect(statSync(key).mode & 0o777).toBe(0o644);
      expect(readFileSync(sources, "utf8")).toBe(
        `Types: deb\nURIs: ${base}\nSuites: trixie\nComponents: stable\nArchitectures: arm64\nSigned-By: ${key}\n`,
      );
      expect(existsSync(`${key}.tmp`)).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  for (const [what, served, pinned] of [
    ["a key with another fingerprint", () => keyA[0], () => DOCKER_KEY_FINGERPRINT],
    ["the right key with an extra key appended", () => keyA[0] + keyB[0], () => keyA[1]],
  ] as const) {
    it(`refuses ${what}: no key, no source`, async () => {
      const { r, t, key, sources } = await runStep(served(), pinned());
      try {
        expect(r.exitCode).not.toBe(0);
        expect(r.stderr).toContain("not trusting it");
        expect(existsSync(key) || existsSync(`${key}.tmp`) || existsSync(sources)).toBe(false);
      } finally {
        t.cleanup();
      }
    });
  }

  it("refuses plain http", async () => {
    const { r, t, sources } = await runStep(keyA[0], keyA[1], base.replace("https:", "http:"));
    t.cleanup();
    expect(r.exitCode).not.toBe(0);
    expect(existsSync(sources)).toBe(false);
  });

  it("the production step pins Docker's key and its source parses in apt-get for each image", async () => {
    expect(DOCKER_KEY_FINGERPRINT).toBe("9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88".replace(/ /g, ""));
    for (const [name, image] of Object.entries(IMAGES)) {
      const script = render(undefined, name)[0]!.steps![0]!.script;
      expect(script).toContain(`if [ "$fp" != ${DOCKER_KEY_FINGERPRINT} ]; then`);
      const source = /<<EOT\n([\s\S]*?)EOT\n/.exec(script)![1]!.replace("$k", "/etc/apt/keyrings/docker.asc");
      const t = tempDir("apt");
      try {
        t.write("parts/docker.sources", source, 0o644);
        const r = await tool([
          "apt-get",
          "-o",
          "Dir::Etc::SourceList=/dev/null",
          "-o",
          `Dir::Etc::SourceParts=${t.dir}/parts`,
          "-o",
          `Dir::State::Lists=${t.dir}/lists`,
          "-o",
          `Dir::Cache=${t.dir}/cache`,
          "--print-uris",
          "update",
        ]);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toContain(
          `'https://download.docker.com/linux/${image.family}/dists/${image.codename}/stable/binary-${image.arch}/Packages.xz'`,
        );
      } finally {
        t.cleanup();
      }
    }
  });
});
