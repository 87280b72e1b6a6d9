// The starter files `firstboot init` writes, as pure functions of the answers (tested as text).
// With the user's own compose file, the starter follows it: its volumes are backed up, its
// services with a health check gate the boot, its published ports are opened.
import { parseDocument, stringify } from "yaml";
import { variables } from "../config/compose.js";
import { publicPort } from "../config/compose-ports.js";

export interface Answers {
  name: string;
  domain: string;
  email: string;
  type: string;
  location: string;
  image: string;
  ssh_key: string;
  backup_time: string;
  /** age public key backups are encrypted to. */
  recipient: string;
}

/** What the starter takes from a compose file: it is the user's, or STARTER_COMPOSE. */
export interface ComposeHints {
  volumes: string[];
  healthy: string[];
  ports: string[];
  /** ${VARS} used without a default. */
  variables: string[];
}

export function composeHints(text: string): ComposeHints {
  const root: unknown = parseDocument(text).toJS();
  const map = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const services = Object.entries(map(map(root).services));
  // A volume with its own name or external is not <name>_<volume>, which the backup reads.
  const volumes = Object.entries(map(map(root).volumes))
    .filter(([, v]) => !map(v).external && !map(v).name)
    .map(([k]) => k);
  const ports = services.flatMap(([, s]) =>
    (Array.isArray(map(s).ports) ? (map(s).ports as unknown[]) : []).flatMap((p) => {
      const port = typeof p === "string" ? publicPort(p) : undefined;
      return port ? [port] : [];
    }),
  );
  const healthy = services.filter(([, s]) => map(s).healthcheck).map(([k]) => k);
  const used = variables(text).filter((v) => !v.hasDefault);
  return { volumes, healthy, ports: [...new Set(ports)], variables: [...new Set(used.map((v) => v.name))] };
}

/** The starter config; `own` names the user's compose file when there is one (else compose.yaml is written). */
export function starterConfig(a: Answers, own?: { file: string; text: string }): string {
  const hints = composeHints(own?.text ?? STARTER_COMPOSE);
  if (own?.text === STARTER_COMPOSE) own = undefined;
  const doc = {
    version: 1,
    name: a.name,
    server: { type: a.type, location: a.location, image: a.image, ssh_keys: [a.ssh_key], timezone: "UTC" },
    admin: { user: "deploy" },
    hardening: { firewall: { allow: own ? hints.ports : ["80/tcp", "443/tcp", "443/udp"] } },
    docker: { source: a.image === "debian-13" ? "distro" : "official" },
    stack: {
      compose: `./${own?.file ?? "compose.yaml"}`,
      env: Object.fromEntries(
        Object.entries({ DOMAIN: a.domain, ACME_EMAIL: a.email }).filter(([k]) => hints.variables.includes(k)),
      ),
      health: { ...(hints.healthy.length ? { services: hints.healthy } : {}), timeout: "3m" },
    },
    backup: {
      schedule: a.backup_time,
      volumes: own ? hints.volumes : ["app_data", "caddy_data"],
      retention: { daily: 7, weekly: 4, monthly: 12 },
      encrypt_to: [a.recipient],
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
