// Small container images built from Debian packages with buildah, for stacks booted where no
// public registry is reachable. Layout and buildah command lines as data.

export interface ImageConfig {
  entrypoint: string[];
  env?: Record<string, string>;
  user?: string;
  ports?: string[];
  volumes?: string[];
  workdir?: string;
}

export const STORAGE = ["--storage-driver", "vfs"];

export function buildahArgv(...args: string[]): string[] {
  return ["buildah", ...STORAGE, ...args];
}

export function configArgv(ctr: string, c: ImageConfig): string[] {
  const args = ["config", "--entrypoint", JSON.stringify(c.entrypoint), "--cmd", ""];
  for (const [k, v] of Object.entries(c.env ?? {})) args.push("--env", `${k}=${v}`);
  if (c.user) args.push("--user", c.user);
  for (const p of c.ports ?? []) args.push("--port", p);
  for (const v of c.volumes ?? []) args.push("--volume", v);
  if (c.workdir) args.push("--workingdir", c.workdir);
  return buildahArgv(...args, ctr);
}

export function pushArgv(ref: string, registry: string): string[] {
  return buildahArgv("push", "--tls-verify=false", ref, `docker://${registry}/${ref}`);
}

/** Shared libraries (and the loader) that `ldd` lists for one binary. */
export function parseLdd(output: string): string[] {
  const libs = new Set<string>();
  for (const line of output.split("\n")) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  return [...libs].sort();
}

/** The test app: busybox httpd serving /health on port 5000, data volume at /data. */
export const APP_CONFIG: ImageConfig = {
  entrypoint: ["/bin/busybox", "httpd", "-f", "-v", "-p", "5000", "-h", "/www"],
  user: "65534:65534",
  ports: ["5000/tcp"],
  volumes: ["/data"],
};

export const APP_APPLETS = ["sh", "httpd", "wget", "cat", "ls", "nc", "ping", "sleep"];

export const CADDY_CONFIG: ImageConfig = {
  entrypoint: ["/usr/bin/caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"],
  env: { HOME: "/tmp", XDG_DATA_HOME: "/data", XDG_CONFIG_HOME: "/config" },
  ports: ["80/tcp", "443/tcp", "443/udp"],
  volumes: ["/data", "/config"],
};

export function postgresConfig(major: string): ImageConfig {
  return {
    entrypoint: ["/usr/local/bin/docker-entrypoint.sh"],
    env: {
      PATH: `/usr/lib/postgresql/${major}/bin:/bin`,
      PGDATA: "/var/lib/postgresql/data",
      LANG: "C",
    },
    user: "999:999",
    ports: ["5432/tcp"],
    volumes: ["/var/lib/postgresql/data"],
  };
}

/** Initialises an empty data directory the way the official image does, then runs postgres. */
export const POSTGRES_ENTRYPOINT = `#!/bin/sh
set -eu
PGDATA="\${PGDATA:-/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s\\n' "\${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pw"
  initdb -D "$PGDATA" -U "\${POSTGRES_USER:-postgres}" --pwfile="$pw" --locale=C --encoding=UTF8 \\
    --auth-local=trust --auth-host=scram-sha-256
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  db="\${POSTGRES_DB:-postgres}"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \\"$db\\" OWNER \\"\${POSTGRES_USER:-postgres}\\";" | postgres --single -j -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql
`;

export const PASSWD =
  "root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n";
export const GROUP = "root:x:0:\npostgres:x:999:\nnogroup:x:65534:\n";
