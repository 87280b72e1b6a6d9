// What init reads from a compose file: only names the file really has, and a PostgreSQL
// service suggested as a dump only when its role and database are known before the server runs.
import { describe, expect, it } from "vitest";
import { composeHints } from "../../src/init/compose-hints.js";

describe("composeHints", () => {
  it("reads volumes, health checks, published ports (both syntaxes) and variables without defaults", () => {
    const h = composeHints(`services:
  app:
    image: ghcr.io/me/app:1
    ports: ["80:80", "127.0.0.1:9000:9000", { target: 443, published: 8443, protocol: udp }, "3000"]
    environment: { TOKEN: "\${TOKEN}", LEVEL: "\${LEVEL:-info}" }
    volumes: [data:/data]
    healthcheck: { test: ["CMD", "true"] }
  worker: { image: ghcr.io/me/worker:1 }
volumes:
  data:
  named: { name: fixed }
  ext: { external: true }
`);
    expect(h).toEqual({
      volumes: ["data"],
      healthy: ["app"],
      ports: ["80/tcp", "8443/udp"],
      variables: ["TOKEN"],
      postgres: [],
    });
  });

  it("suggests pg_dump with the image's role and database, and keeps it out of the volume tar", () => {
    const h = composeHints(`services:
  db:
    image: postgres:16.4
    environment: [POSTGRES_USER=shop, "POSTGRES_PASSWORD=\${DB_PASSWORD}"]
    volumes: [pg:/var/lib/postgresql/data]
  other:
    image: docker.io/library/postgres@sha256:abc
    environment: { POSTGRES_USER: "\${PGUSER}" }
    volumes: [pg2:/var/lib/postgresql/data]
  notpg: { image: postgrest/postgrest:v12 }
volumes: { pg: {}, pg2: {} }
`);
    expect(h.postgres).toEqual([{ service: "db", database: "shop", user: "shop", volumes: ["pg"] }]);
    expect(h.volumes).toEqual(["pg", "pg2"]);
  });
});

describe("starterConfig's health gate", () => {
  it("uses the health checks, else the first published TCP port", async () => {
    const { starterConfig } = await import("../../src/init/starter.js");
    const { parse } = await import("yaml");
    const d = { name: "a", backup_target: "none", floating_ip: "no" };
    const gate = (compose: string) =>
      (parse(starterConfig(d, { file: "compose.yaml", text: compose })) as { stack: { health: unknown } }).stack.health;
    expect(gate("services:\n  w: { image: x, healthcheck: { test: [CMD, 'true'] } }\n")).toEqual({
      services: ["w"],
      timeout: "3m",
    });
    expect(gate('services:\n  w: { image: x, ports: ["53:53/udp", "8080:80"] }\n')).toEqual({
      url: "http://127.0.0.1:8080/",
      timeout: "3m",
    });
  });
});
