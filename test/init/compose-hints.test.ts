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
