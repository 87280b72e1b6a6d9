// Builds the e2e stacks' container images from Debian packages (busybox-static, caddy, the host's
// PostgreSQL) with buildah and pushes them to the loopback registry. No Docker engine, no
// public registry. Images already in the registry are not rebuilt.
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { run } from "../../src/exec.js";
import {
  APP_APPLETS,
  APP_CONFIG,
  buildahArgv,
  CADDY_CONFIG,
  configArgv,
  GROUP,
  parseLdd,
  PASSWD,
  POSTGRES_ENTRYPOINT,
  postgresConfig,
  pushArgv,
  type ImageConfig,
} from "./test-image-plan.js";

export const TEST_IMAGES = { app: "fb-app:1", caddy: "fb-caddy:1", postgres: "fb-postgres:1" } as const;

async function inRegistry(registry: string, ref: string): Promise<boolean> {
  const [name, tag] = ref.split(":");
  const r = await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, {
    method: "HEAD",
    headers: {
      Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
    },
  });
  return r.status === 200;
}

/** Download one Debian package (not installed on the host) and unpack it into dir. */
async function extractDeb(pkg: string, work: string): Promise<string> {
  const debs = join(work, "debs");
  await mkdir(debs, { recursive: true });
  const dl = () => run(["apt-get", "download", "-q", pkg], { cwd: debs, timeoutMs: 5 * 60_000, allowFailure: true });
  // A fresh machine may have empty package lists: refresh them once, then try again.
  if ((await dl()).exitCode !== 0) {
    await run(["apt-get", "update", "-q"], { timeoutMs: 10 * 60_000 });
    const r = await dl();
    if (r.exitCode !== 0) throw new Error(`apt-get download ${pkg} failed: ${r.stderr.trim()}`);
  }
  const file = (await readdir(debs)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (!file) throw new Error(`apt-get download ${pkg} left no .deb in ${debs}`);
  const out = join(work, `x-${pkg}`);
  await run(["dpkg-deb", "-x", join(debs, file), out]);
  return out;
}

async function copyInto(stage: string, src: string, dest: string): Promise<void> {
  await mkdir(dirname(join(stage, dest)), { recursive: true });
  await run(["cp", "-a", src, join(stage, dest)]);
}

/** Copy the libraries a dynamically linked binary needs to the same paths inside the stage. */
async function copyLibs(stage: string, binaries: string[]): Promise<void> {
  const libs = new Set<string>();
  for (const b of binaries) {
    const r = await run(["ldd", b], { allowFailure: true });
    if (r.exitCode === 0) for (const l of parseLdd(r.stdout)) libs.add(l);
  }
  for (const l of libs) {
    await mkdir(dirname(join(stage, l)), { recursive: true });
    await run(["cp", "-L", l, join(stage, l)]);
  }
}

async function commitImage(stage: string, c: ImageConfig, ref: string, registry: string, owned: string[] = []) {
  const ctr = (await run(buildahArgv("from", "scratch"))).stdout.trim();
  try {
    await run(buildahArgv("copy", ctr, stage, "/"));
    const empty = await mkdtemp(join(stage, "..", "empty-"));
    for (const d of owned) await run(buildahArgv("copy", "--chown", c.user ?? "0:0", ctr, empty, d));
    await run(configArgv(ctr, c));
    await run(buildahArgv("commit", "-q", ctr, ref));
    await run(pushArgv(ref, registry), { timeoutMs: 5 * 60_000 });
    // The registry holds the image now; the local vfs copy would only pile up.
    await run(buildahArgv("rmi", ref), { allowFailure: true });
  } finally {
    await run(buildahArgv("rm", ctr), { allowFailure: true });
  }
}

async function stageApp(work: string): Promise<string> {
  const bb = await extractDeb("busybox-static", work);
  const stage = join(work, "app");
  await copyInto(stage, join(bb, "bin/busybox"), "bin/busybox");
  for (const a of APP_APPLETS) await run(["ln", "-s", "busybox", join(stage, "bin", a)]);
  await mkdir(join(stage, "www"), { recursive: true });
  await writeFile(join(stage, "www/health"), "ok\n");
  await writeFile(join(stage, "www/index.html"), "<h1>firstboot test app</h1>\n");
  await mkdir(join(stage, "tmp"), { recursive: true });
  return stage;
}

async function stageCaddy(work: string): Promise<string> {
  const x = await extractDeb("caddy", work);
  const stage = join(work, "caddy");
  await copyInto(stage, join(x, "usr/bin/caddy"), "usr/bin/caddy");
  await copyLibs(stage, [join(x, "usr/bin/caddy")]);
  for (const d of ["tmp", "etc/caddy"]) await mkdir(join(stage, d), { recursive: true });
  await writeFile(join(stage, "etc/caddy/Caddyfile"), ':80 {\n\trespond "caddy"\n}\n');
  return stage;
}

async function stagePostgres(work: string, major: string): Promise<string> {
  const bb = await extractDeb("busybox-static", work);
  const stage = join(work, "postgres");
  await copyInto(stage, join(bb, "bin/busybox"), "bin/busybox");
  for (const a of ["sh", "mktemp", "rm", "cat", "echo", "printf"])
    await run(["ln", "-s", "busybox", join(stage, "bin", a)]);
  const pg = `/usr/lib/postgresql/${major}`;
  await copyInto(stage, pg, pg.slice(1));
  await copyInto(stage, `/usr/share/postgresql/${major}`, `usr/share/postgresql/${major}`);
  await copyInto(stage, "/usr/share/zoneinfo", "usr/share/zoneinfo");
  const elves = [
    ...(await readdir(`${pg}/bin`)).map((f) => `${pg}/bin/${f}`),
    ...(await readdir(`${pg}/lib`)).filter((f) => f.endsWith(".so")).map((f) => `${pg}/lib/${f}`),
  ];
  await copyLibs(stage, elves);
  await mkdir(join(stage, "etc"), { recursive: true });
  await writeFile(join(stage, "etc/passwd"), PASSWD);
  await writeFile(join(stage, "etc/group"), GROUP);
  await mkdir(join(stage, "usr/local/bin"), { recursive: true });
  await writeFile(join(stage, "usr/local/bin/docker-entrypoint.sh"), POSTGRES_ENTRYPOINT);
  await chmod(join(stage, "usr/local/bin/docker-entrypoint.sh"), 0o755);
  await mkdir(join(stage, "tmp"), { recursive: true });
  await chmod(join(stage, "tmp"), 0o1777);
  return stage;
}

/** Build and push the test images that are missing from the registry at `registry` (host:port). */
export async function ensureTestImages(registry: string, work: string, log: (m: string) => void): Promise<void> {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    if (!(await inRegistry(registry, TEST_IMAGES.app))) {
      log(`building ${TEST_IMAGES.app}`);
      await commitImage(await stageApp(work), APP_CONFIG, TEST_IMAGES.app, registry, ["/data"]);
    }
    if (!(await inRegistry(registry, TEST_IMAGES.caddy))) {
      log(`building ${TEST_IMAGES.caddy}`);
      await commitImage(await stageCaddy(work), CADDY_CONFIG, TEST_IMAGES.caddy, registry);
    }
    if (!(await inRegistry(registry, TEST_IMAGES.postgres))) {
      const major = (await readdir("/usr/lib/postgresql")).sort().at(-1);
      if (!major) throw new Error("PostgreSQL is not installed on the host: apt-get install postgresql");
      log(`building ${TEST_IMAGES.postgres} from PostgreSQL ${major}`);
      const c = postgresConfig(major);
      await commitImage(await stagePostgres(work, major), c, TEST_IMAGES.postgres, registry, [
        "/var/lib/postgresql/data",
        "/var/run/postgresql",
      ]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
