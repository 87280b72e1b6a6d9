// The starter files `firstboot init` writes, as pure functions of the answers (tested as text).
// With the user's own compose file, the starter follows it: its volumes are backed up (its
// PostgreSQL databases dumped), its services with a health check gate the boot, its published
// ports are opened.
import { stringify } from "yaml";
import { composeHints, type ComposeHints } from "./compose-hints.js";
import { isYes, type Draft } from "./questions.js";
import { envRole, secretNameOf } from "./secrets.js";

/** stack.env: the domain and email answers where the compose file uses them, secrets for the rest. */
function stackEnv(d: Draft, variables: readonly string[]): Record<string, string | { secret: string }> {
  const value = (v: string) => {
    const role = envRole(v);
    return role === "secret" ? { secret: secretNameOf(v) } : role === "domain" ? d.domain! : d.email!;
  };
  return Object.fromEntries(variables.map((v) => [v, value(v)]));
}

/** backup.target from the answers (credentials are secrets: secretNeeds names them). */
function target(d: Draft): Record<string, unknown> | undefined {
  if (d.backup_target === "sftp") {
    const port = d.sftp_port ? { port: Number(d.sftp_port) } : {};
    const where = { host: d.sftp_host, ...port, user: d.sftp_user, path: d.sftp_path };
    return { sftp: { ...where, key: { secret: "backup_key" } } };
  }
  if (d.backup_target !== "s3") return undefined;
  const where = { endpoint: d.s3_endpoint, region: d.s3_region, bucket: d.s3_bucket };
  const path = d.s3_path ? { path: d.s3_path } : {};
  const keys = {
    access_key_id: { secret: "backup_access_key_id" },
    secret_access_key: { secret: "backup_secret_access_key" },
  };
  return { s3: { ...where, ...path, ...keys } };
}

/** The services' own health checks; without any, the first published TCP port must answer. */
function health(hints: ComposeHints): { services: string[] } | { url: string } | Record<string, never> {
  if (hints.healthy.length) return { services: hints.healthy };
  const tcp = hints.ports.find((p) => /^\d+\/tcp$/.test(p));
  return tcp ? { url: `http://127.0.0.1:${tcp.split("/")[0]}/` } : {};
}

function server(d: Draft): Record<string, unknown> {
  const fip = isYes(d.floating_ip) ? { floating_ip: { name: d.fip_name, ip: d.fip_ip } } : {};
  return { type: d.type, location: d.location, image: d.image, ssh_keys: [d.ssh_key], timezone: "UTC", ...fip };
}

/**
 * The starter config; `own` names the user's compose file when there is one (else compose.yaml
 * is written). Backups, health and firewall follow the compose file: its volumes, its health
 * checks, its published ports.
 */
export function starterConfig(d: Draft, own?: { file: string; text: string }): string {
  const hints = composeHints(own?.text ?? STARTER_COMPOSE);
  if (own?.text === STARTER_COMPOSE) own = undefined;
  const t = target(d);
  const doc = {
    version: 1,
    name: d.name,
    server: server(d),
    admin: { user: "deploy" },
    hardening: { firewall: { allow: hints.ports } },
    docker: { source: d.image === "debian-13" ? "distro" : "official" },
    stack: {
      compose: `./${own?.file ?? "compose.yaml"}`,
      env: stackEnv(d, hints.variables),
      health: { ...health(hints), timeout: "3m" },
    },
    backup: {
      schedule: d.backup_time,
      ...(hints.postgres.length ? { postgres: hints.postgres.map(({ volumes: _, ...pg }) => pg) } : {}),
      volumes: hints.volumes.filter((v) => !hints.postgres.some((pg) => pg.volumes.includes(v))),
      retention: { daily: 7, weekly: 4, monthly: 12 },
      encrypt_to: [d.recipient],
      ...(t ? { target: t } : {}),
    },
  };
  return `# firstboot.yaml: one stack on one Hetzner server. \`firstboot schema\` lists every key.\n${stringify(doc, { lineWidth: 0 })}`;
}

export const STARTER_COMPOSE = `services:
  app:
    image: ghcr.io/you/app:1.0.0 # pin a version, never latest
    restart: unless-stopped
    volumes: [app_data:/data]
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/health"]
      interval: 10s
      retries: 5
  caddy:
    image: caddy:2.8-alpine
    restart: unless-stopped
    environment: { DOMAIN: "\${DOMAIN}", ACME_EMAIL: "\${ACME_EMAIL}" }
    ports: ["80:80", "443:443", "443:443/udp"]
    volumes: [./Caddyfile:/etc/caddy/Caddyfile:ro, caddy_data:/data, caddy_config:/config]
volumes:
  app_data:
  caddy_data:
  caddy_config:
`;

export const STARTER_CADDYFILE = `{
\temail {$ACME_EMAIL}
}

{$DOMAIN} {
\tencode zstd gzip
\theader Strict-Transport-Security "max-age=31536000; includeSubDomains"
\treverse_proxy app:8080
}
`;

export { composeHints };
