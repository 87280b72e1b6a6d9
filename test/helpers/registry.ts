// A local OCI registry (Debian's docker-registry) on the host's loopback. Preview VMs reach it as
// 10.0.2.2:5000 through QEMU's user network; the same setup serves air-gapped image delivery.
// Never bound to all interfaces: the packaged config does that, so we always pass our own.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../src/exec.js";

export const REGISTRY_PORT = 5000;
/** How a QEMU user-network guest addresses the host's loopback registry. */
export const GUEST_REGISTRY = `10.0.2.2:${REGISTRY_PORT}`;

export function registryConfig(dataDir: string, port = REGISTRY_PORT): string {
  return [
    "version: 0.1",
    "log:",
    "  level: warn",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dataDir}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "",
  ].join("\n");
}

export interface RegistryPaths {
  dir: string;
  config: string;
  data: string;
  pidfile: string;
  log: string;
}

export function registryPaths(root: string): RegistryPaths {
  const dir = join(root, "registry");
  return {
    dir,
    config: join(dir, "config.yml"),
    data: join(dir, "data"),
    pidfile: join(dir, "registry.pid"),
    log: join(dir, "registry.log"),
  };
}

/** start-stop-daemon detaches the registry and records its PID, so it is stopped by PID only. */
export function registryStartArgv(p: RegistryPaths): string[] {
  return [
    "start-stop-daemon",
    "--start",
    "--background",
    "--make-pidfile",
    "--pidfile",
    p.pidfile,
    "--output",
    p.log,
    "--exec",
    "/usr/bin/docker-registry",
    "--",
    "serve",
    p.config,
  ];
}

export async function registryUp(port = REGISTRY_PORT): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2000) });
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Start the registry unless one already answers; returns its PID when we started it. */
export async function ensureRegistry(root: string): Promise<number | undefined> {
  if (await registryUp()) return undefined;
  const p = registryPaths(root);
  await mkdir(p.data, { recursive: true });
  await writeFile(p.config, registryConfig(p.data));
  await run(registryStartArgv(p));
  // A busy host (a qemu or two under TCG) can take many seconds to start it.
  for (let i = 0; i < 300; i++) {
    if (await registryUp()) return Number((await readFile(p.pidfile, "utf8")).trim());
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`docker-registry did not answer on 127.0.0.1:${REGISTRY_PORT} within a minute; see ${p.log}`);
}
