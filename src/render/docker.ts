// Parts for `docker`: the engine from Docker's apt repository (key fingerprint pinned here) or
// from the distribution, and daemon.json written before the first start.
import type { Docker, DockerBlock } from "../config/schema-docker.js";
import type { ImageInfo } from "../config/images.js";
import { distroProblem } from "../config/rules-docker.js";
import type { BootStep, Part, RenderContext } from "./part.js";
import { packagesStep } from "./server.js";
import { snippet } from "./template.js";

/** Docker's release signing key (https://docs.docker.com/engine/install/debian/). */
export const DOCKER_KEY_FINGERPRINT = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88";
export const DOCKER_KEY_PATH = "/etc/apt/keyrings/docker.asc";
export const DAEMON_JSON = "/etc/docker/daemon.json";

const OFFICIAL = [
  "docker-ce",
  "docker-ce-cli",
  "containerd.io",
  "docker-buildx-plugin",
  "docker-compose-plugin",
  "apparmor",
];

/** Packages per source: without Recommends, trixie's docker.io brings neither the CLI nor apparmor. */
export function dockerPackages(source: DockerBlock["source"], image: ImageInfo): string[] {
  if (source === "official") return OFFICIAL;
  const problem = distroProblem(image);
  if (problem) throw new Error(problem);
  if (image.family === "ubuntu") return ["docker.io", "docker-compose-v2", "apparmor"];
  return ["docker.io", "docker-cli", "docker-compose", "apparmor"];
}

export interface RepoOptions {
  image: ImageInfo;
  /** Repository base URL; tests point it at a local https server. */
  url?: string;
  keyPath?: string;
  sourcesDir?: string;
  fingerprint?: string;
}

/** The step that adds Docker's apt repository for this image's family and codename. */
export function dockerRepoStep(o: RepoOptions): BootStep {
  const data = {
    key: o.keyPath ?? DOCKER_KEY_PATH,
    sources_dir: o.sourcesDir ?? "/etc/apt/sources.list.d",
    url: o.url ?? `https://download.docker.com/linux/${o.image.family}`,
    codename: o.image.codename,
    arch: o.image.arch,
    fingerprint: o.fingerprint ?? DOCKER_KEY_FINGERPRINT,
  };
  // An absent key changes the fingerprint, so there is nothing else to check.
  const unchanged = { files: [data.key, `${data.sources_dir}/docker.sources`], check: "true" };
  return { name: "docker_repo", script: snippet("docker/repo.sh.hbs", data), unchanged };
}

/** daemon.json as data: log rotation, live-restore, optional plain-HTTP registries. */
export function daemonJson(d: DockerBlock): string {
  const cfg: Record<string, unknown> = {
    "log-driver": "json-file",
    "log-opts": { "max-size": d.log.max_size, "max-file": String(d.log.max_file) },
    "live-restore": d.live_restore,
  };
  if (d.insecure_registries.length > 0) cfg["insecure-registries"] = d.insecure_registries;
  return JSON.stringify(cfg) + "\n";
}

/**
 * Docker's own steps: its apt source (official), its packages, its start. Not a lockdown part:
 * download.docker.com or a mirror being unreachable must fail after the hardening, not before.
 */
export function dockerParts(d: Docker, ctx: RenderContext): Part[] {
  if (!d) return [];
  const steps: BootStep[] = [
    ...(d.source === "official" ? [dockerRepoStep({ image: ctx.image })] : []),
    packagesStep(dockerPackages(d.source, ctx.image), false, { name: "docker_packages", lookFirst: false }),
    {
      name: "docker",
      script: snippet("docker/step.sh.hbs", { user: ctx.adminUser }),
      unchanged: { files: [DAEMON_JSON], check: "live docker.service" },
    },
  ];
  // A write_files entry lands before packages are installed, so dockerd's first start uses it.
  return [{ section: "docker", files: [{ path: DAEMON_JSON, content: daemonJson(d), mode: "0644" }], steps }];
}
