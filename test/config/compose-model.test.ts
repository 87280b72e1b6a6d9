// The effective compose model: compose's interpolation rules with stack.env's values, and the
// merge of include, the override file shipped as a stack file, and extends, as the published
// ports the firewall check sees show it.
import { describe, expect, it } from "vitest";
import { interpolate } from "../../src/config/compose-interpolate.js";
import { parseDotenv } from "../../src/config/dotenv.js";
import { config, folder, loaded, problems } from "./compose-helpers.js";

const ENV = { PORT: "8080", EMPTY: "", TOKEN: { secret: "tok" } };

describe("interpolation", () => {
  it.each([
    ["${PORT}:80", "8080:80"],
    ["$PORT:80", "8080:80"],
    ["${MISSING:-9000}:80", "9000:80"],
    ["${EMPTY:-9000}", "9000"],
    ["${EMPTY-9000}", ""],
    ["${MISSING-9000}", "9000"],
    ["${PORT:+on}/${MISSING:+on}", "on/"],
    ["${PORT+on}${EMPTY+set}", "onset"],
    ["${PORT:?need a port}", "8080"],
    ["${MISSING:-${PORT}}", "8080"],
    ["$$PORT ${PORT}", "$PORT 8080"],
    ["cost: $5", "cost: $5"],
  ])("%s -> %s", (text, want) => expect(interpolate(text, ENV)).toEqual({ text: want, secrets: [] }));

  it("names the secrets it could not resolve", () => {
    expect(interpolate("${TOKEN}:80", ENV)).toEqual({ text: ":80", secrets: ["TOKEN"] });
    expect(interpolate("${TOKEN:-1}", ENV).secrets).toEqual(["TOKEN"]);
  });
});

describe("dotenv", () => {
  it("reads keys, export, quotes and comments the way compose does", () => {
    const { values, entries } = parseDotenv('# c\nA=1\nexport B=\'x y\' \nC="q\\"n" # c\nD=plain # note\n\nbad line\n');
    expect(values).toEqual({ A: "1", B: "x y", C: 'q"n', D: "plain" });
    expect(entries.map((e) => e.offset)).toEqual([4, 15, 24, 37]);
  });
});

describe("the effective model", () => {
  const svc = (ports: string) => `services:\n  app:\n    image: nginx:1.27.3\n    ports: ${ports}\n`;

  it("publishes ports written with variables, defaults and long syntax", async () => {
    const dir = folder({
      "firstboot.yaml": config("  env:\n    PORT: '8080'\n    IP: 127.0.0.1\n", "[8080/tcp, 9090/tcp, 7000/udp]"),
      "compose.yaml":
        `${svc('["${PORT}:80", "${ALT:-9090}:80", "${IP}:5432:5432"]')}      - { target: 53, published: "7000", protocol: udp }\n`.replace(
          'ports: ["${PORT}:80", "${ALT:-9090}:80", "${IP}:5432:5432"]\n',
          'ports:\n      - "${PORT}:80"\n      - "${ALT:-9090}:80"\n      - "${IP}:5432:5432"\n',
        ),
    });
    expect((await loaded(dir)).published).toEqual(["8080/tcp", "9090/tcp", "7000/udp"]);
  });

  it("merges a compose.override.yaml shipped as a stack file: ports appended, !reset honoured", async () => {
    const dir = folder({
      "firstboot.yaml": config("  files:\n    compose.override.yaml: ./prod.yaml\n"),
      "compose.yaml": svc('["80:80", "8081:81"]'),
      "prod.yaml":
        "services:\n  app:\n    ports: !override ['443:443']\n  extra:\n    image: redis:7\n    ports: ['6379:6379']\n",
    });
    const text = await problems(dir);
    expect(text).toContain(
      "service `extra` publishes 6379/tcp but the firewall does not allow it\n  --> <dir>/prod.yaml:6:13",
    );
    expect(text).not.toContain("8081");
  });

  it("a port published only in an override is checked too", async () => {
    const dir = folder({
      "firstboot.yaml": config("  files:\n    docker-compose.override.yml: ./o.yml\n"),
      "compose.yaml": svc('["80:80"]'),
      "o.yml": "services:\n  app:\n    ports: ['8443:443']\n",
    });
    expect(await problems(dir)).toContain("service `app` publishes 8443/tcp");
    const l = await loaded(
      folder({
        "firstboot.yaml": config("  files:\n    docker-compose.override.yml: ./o.yml\n", "[80/tcp, 8443/tcp]"),
        "compose.yaml": svc('["80:80"]'),
        "o.yml": "services:\n  app:\n    ports: ['8443:443']\n",
      }),
    );
    expect(l.published).toEqual(["80/tcp", "8443/tcp"]);
  });

  it("extends a service of the same file and of another file; include adds services", async () => {
    const dir = folder({
      "firstboot.yaml": config("", "[80/tcp, 81/tcp, 82/tcp, 83/tcp]"),
      "compose.yaml":
        "include:\n  - path: ./more/compose.yaml\nservices:\n  base:\n    image: nginx\n    ports: ['80:80']\n  app:\n    extends: base\n    ports: ['81:81']\n  other:\n    extends: { file: ./common.yaml, service: web }\n",
      "common.yaml": "services:\n  web:\n    image: nginx\n    ports: ['82:82']\n",
      "more/compose.yaml": "services:\n  more:\n    image: nginx\n    ports: ['83:83']\n",
    });
    const l = await loaded(dir);
    expect([...l.published].sort()).toEqual(["80/tcp", "80/tcp", "81/tcp", "82/tcp", "83/tcp"]);
  });

  it("refuses an extends of a service that does not exist, naming the ones that do", async () => {
    const dir = folder({
      "firstboot.yaml": config(),
      "compose.yaml": "services:\n  base:\n    image: nginx\n  app:\n    extends: { service: bse }\n",
    });
    expect(await problems(dir)).toContain("service `app` extends `bse`, which that file does not define");
  });

  it("leaves out services whose profile COMPOSE_PROFILES does not enable", async () => {
    const compose =
      "services:\n  app:\n    image: nginx\n  debug:\n    image: busybox\n    profiles: [debug]\n    ports: ['9999:9999']\n";
    const off = folder({ "firstboot.yaml": config("  health:\n    services: [app]\n"), "compose.yaml": compose });
    expect((await loaded(off)).published).toEqual([]);
    const on = folder({ "firstboot.yaml": config("  env:\n    COMPOSE_PROFILES: debug\n"), "compose.yaml": compose });
    expect(await problems(on)).toContain("service `debug` publishes 9999/tcp");
  });

  it("reads anchors and merge keys (<<: *defaults)", async () => {
    const dir = folder({
      "firstboot.yaml": config(),
      "compose.yaml": "x-base: &base\n  image: nginx\n  ports: ['8888:80']\nservices:\n  app:\n    <<: *base\n",
    });
    expect(await problems(dir)).toContain("service `app` publishes 8888/tcp");
  });
});
