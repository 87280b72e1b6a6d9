// What cannot work on the server is refused (build:, COMPOSE_FILE & co., a port from a secret,
// backups of volumes or services the compose model does not have), and dangerous settings warn.
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../src/config/diagnostics.js";
import { AGE, config, folder, loaded, problems } from "./compose-helpers.js";

const APP = "services:\n  app:\n    image: nginx:1.27.3\n";
const STORE = "  target:\n    sftp:\n      host: u1.your-storagebox.de\n      user: u1\n      key: k\n";

describe("refused", () => {
  it("build: (the server builds nothing), pointing at it", async () => {
    const dir = folder({ "firstboot.yaml": config(), "compose.yaml": `${APP}    build:\n      context: .\n` });
    const text = await problems(dir);
    expect(text).toContain("error[stack.compose]: service `app` builds its image (`build:`)");
    expect(text).toContain("compose.yaml:4:5");
    expect(text).toContain("stack.registry");
  });

  it("COMPOSE_FILE, COMPOSE_PROJECT_NAME and the env-file switches in stack.env; COMPOSE_PROFILES is fine", async () => {
    const env = "  env:\n    COMPOSE_FILE: a.yaml:b.yaml\n    COMPOSE_PROJECT_NAME: other\n    COMPOSE_PROFILES: web\n";
    const text = await problems(folder({ "firstboot.yaml": config(env), "compose.yaml": APP }));
    expect(text).toContain("error[stack.env.COMPOSE_FILE]: COMPOSE_FILE in stack.env would change which compose files");
    expect(text).toContain("error[stack.env.COMPOSE_PROJECT_NAME]:");
    expect(text).toContain("volumes are <name>_<volume>");
    expect(text).not.toContain("COMPOSE_PROFILES]");
  });

  it("a published port taken from a secret: the firewall check cannot see it", async () => {
    const dir = folder({
      "firstboot.yaml": config("  env:\n    PORT: { secret: port }\n"),
      "compose.yaml": `${APP}    ports: ["\${PORT}:80"]\n`,
    });
    const text = await problems(dir, { FIRSTBOOT_SECRET_PORT: "31337" });
    expect(text).toContain("service `app` publishes a port taken from ${PORT}, a secret");
    expect(text).not.toContain("31337");
  });

  it("backup volumes and services the compose model does not have, with did-you-mean", async () => {
    const backup = `backup:\n  sqlite:\n    - { volume: dat, path: app.db }\n  volumes: [caddy, ext]\n  postgres:\n    - { service: postgress, database: app }\n  stop: [ap]\n  encrypt_to: [${AGE}]\n${STORE}`;
    const dir = folder({
      "firstboot.yaml": config("", undefined, backup),
      "compose.yaml": `${APP}    volumes: [data:/data]\n  postgres:\n    image: postgres:16\nvolumes:\n  data:\n  caddy:\n    name: shared_caddy\n  ext:\n    external: true\n`,
    });
    const text = await problems(dir);
    expect(text).toContain("error[backup.sqlite[0].volume]: volume `dat` is not a volume of the compose file");
    expect(text).toContain("= help: did you mean `data`? (volumes: data, caddy, ext)");
    expect(text).toContain("error[backup.volumes[0]]: volume `caddy` is given its own `name:`");
    expect(text).toContain("error[backup.volumes[1]]: volume `ext` is external");
    expect(text).toContain(
      "error[backup.postgres[0].service]: service `postgress` is not a service the compose stack runs",
    );
    expect(text).toContain("did you mean `postgres`?");
    expect(text).toContain("error[backup.stop[0]]: service `ap` is not a service");
  });
});

describe("warnings", () => {
  const withTarget = `backup:\n  volumes: [data]\n  encrypt_to: [${AGE}]\n${STORE}`;

  it("privileged, host network (tied to the firewall), host pid, cap_add ALL/SYS_ADMIN, the Docker socket", async () => {
    const dir = folder({
      "firstboot.yaml": config("", undefined, withTarget),
      "compose.yaml": `${APP}    privileged: true\n    network_mode: host\n    pid: host\n    cap_add: [NET_BIND_SERVICE, SYS_ADMIN]\n    volumes:\n      - data:/data\n      - /var/run/docker.sock:/var/run/docker.sock:ro\nvolumes:\n  data:\n`,
    });
    const w = (await loaded(dir)).warnings;
    expect(w.map((d) => `${d.path}@${d.line}`)).toEqual([
      "stack.compose@4",
      "hardening.firewall.allow@5",
      "stack.compose@6",
      "stack.compose@7",
      "stack.compose@10",
    ]);
    const text = formatDiagnostics(w);
    expect(text).toContain("warning[hardening.firewall.allow]: service `app` uses the host's network");
    expect(text).toContain("adds capability SYS_ADMIN");
    expect(text.match(/adds capability/g)).toHaveLength(1);
    expect(text).toContain("mounts the Docker socket");
  });

  it("a backup without an off-server target: it dies with the server", async () => {
    const dir = folder({
      "firstboot.yaml": config("", undefined, `backup:\n  volumes: [data]\n  encrypt_to: [${AGE}]\n`),
      "compose.yaml": `${APP}    volumes: [data:/data]\nvolumes:\n  data:\n`,
    });
    const w = (await loaded(dir)).warnings;
    expect(w.map((d) => d.path)).toEqual(["backup"]);
    expect(w[0]!.message).toContain("die with it");
    expect(w[0]!.hint).toContain("backup.target");
  });
});
