// The starter files `firstboot init` writes, as pure functions of the answers (tested as text).
import { stringify } from "yaml";

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

export function starterConfig(a: Answers): string {
  const doc = {
    version: 1,
    name: a.name,
    server: { type: a.type, location: a.location, image: a.image, ssh_keys: [a.ssh_key], timezone: "UTC" },
    admin: { user: "deploy" },
    hardening: { firewall: { allow: ["80/tcp", "443/tcp", "443/udp"] } },
    docker: { source: a.image === "debian-13" ? "distro" : "official" },
    stack: {
      compose: "./compose.yaml",
      files: { Caddyfile: "./Caddyfile" },
      env: { DOMAIN: a.domain, ACME_EMAIL: a.email },
      health: { services: ["app"], timeout: "3m" },
    },
    backup: {
      schedule: a.backup_time,
      volumes: ["app_data", "caddy_data"],
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
