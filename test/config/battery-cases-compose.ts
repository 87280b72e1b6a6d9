// Battery cases: hostile compose apps (build, files outside the stack, ports past the firewall,
// interpolation, YAML features) judged against the base config's firewall (80, 443 tcp).
import type { Case, Cfg } from "./battery-harness.js";

const WEB = "services:\n  web:\n    image: caddy:2.8.4-alpine\n";
const app = (name: string, body: string, prefix: string | undefined, extra: Partial<Case> = {}): Case => ({
  name,
  compose: WEB + body,
  expect: prefix === undefined ? "accepted" : { refused: prefix },
  ...extra,
});
const noBackupChecks = (c: Cfg) => void (c.stack.health = {});

export const composeCases: Case[] = [
  app("build:", "    build: .\n", "stack.compose"),
  app("env_file outside", "    env_file: ../secret.env\n", "stack.compose"),
  app("env_file missing", "    env_file: ./missing.env\n", "stack.compose"),
  app("env_file absolute", "    env_file: /etc/environment\n", "stack.compose"),
  app("include missing", "include:\n  - ./db/compose.yaml\n", "stack.compose"),
  app("extends file missing", "    extends: { file: ./common.yaml, service: base }\n", "stack.compose"),
  app("bind mount ../x", "    volumes: ['../x:/x']\n", "stack.compose"),
  // docker creates a missing short-syntax bind source as an empty directory
  app("bind mount missing ./x", "    volumes: ['./nothere:/x']\n", undefined),
  app("absolute bind mount", "    volumes: ['/srv/data:/data']\n", undefined),
  app("docker.sock (warning only)", "    volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro']\n", undefined),
  app("secrets file: outside", "    secrets: [s]\nsecrets:\n  s:\n    file: ../s.txt\n", "stack.compose"),
  app("published port not allowed", "    ports: ['8080:80']\n", "hardening.firewall.allow"),
  app(
    "published port long syntax",
    "    ports:\n      - target: 80\n        published: 8443\n",
    "hardening.firewall.allow",
  ),
  app("published udp port not allowed", "    ports: ['443:443/udp']\n", "hardening.firewall.allow"),
  app("published range not allowed", "    ports: ['9000-9001:9000-9001']\n", "hardening.firewall.allow"),
  app("port on loopback ok", "    ports: ['127.0.0.1:8080:80']\n", undefined),
  app("port on all v4 not allowed", "    ports: ['0.0.0.0:8080:80']\n", "hardening.firewall.allow"),
  // an ephemeral host port: DOCKER-USER drops it, so nothing is exposed
  app("port without host (ephemeral)", "    ports: ['80']\n", undefined),
  app("port ${PORT} from env", "    ports: ['${PORT}:80']\n", "hardening.firewall.allow", {
    patch: (c) => void (c.stack.env.PORT = "8081"),
  }),
  app("port ${PORT} allowed", "    ports: ['${PORT}:80']\n", undefined, {
    patch: (c) => void (c.stack.env.PORT = "443"),
  }),
  app("port in an include", "include:\n  - ./extra.yaml\n", "hardening.firewall.allow", {
    files: { "extra.yaml": "services:\n  extra:\n    image: nginx:1.27\n    ports: ['9090:80']\n" },
  }),
  app("port in compose.override.yaml via stack.files", "", "hardening.firewall.allow", {
    patch: (c) => void (c.stack.files["compose.override.yaml"] = "./override.yaml"),
    files: { "override.yaml": "services:\n  web:\n    ports: ['9091:80']\n" },
  }),
  app("undefined ${VAR}", "    environment: { X: '${NOT_DEFINED}' }\n", "stack.env"),
  app("required ${VAR:?}", "    environment: { X: '${NOPE:?set it}' }\n", "stack.env"),
  app("default ${VAR:-x}", "    environment: { X: '${NOPE:-fallback}' }\n", undefined),
  app("$$ escapes", "    command: ['sh', '-c', 'echo $$HOME $${X}']\n", undefined),
  // compose interpolates parsed values: a commented-out line is no reference, a quoted # is text.
  app(
    "${VAR} in comments",
    "    # environment: { X: '${COMMENTED_OUT}' }\n    restart: unless-stopped # ${TAG}\n",
    undefined,
  ),
  app("${VAR} after a quoted #", "    environment: { X: 'a # ${NOT_DEFINED}' }\n", "stack.env"),
  app("${VAR} in a block scalar's # line", "    command: |\n      echo # ${NOT_DEFINED}\n", "stack.env"),
  app("bad interpolation ${", "    environment: { X: '${BROKEN' }\n", "stack.env"),
  app(
    "anchors and merge keys",
    "    <<: &common { restart: unless-stopped }\n  worker:\n    <<: *common\n    image: busybox:1.37\n",
    undefined,
  ),
  { name: "services empty", compose: "services: {}\n", patch: noBackupChecks, expect: { refused: "stack.compose" } },
  {
    name: "services a list",
    compose: "services:\n  - web\n",
    patch: noBackupChecks,
    expect: { refused: "stack.compose" },
  },
  { name: "no services key", compose: "volumes: {}\n", patch: noBackupChecks, expect: { refused: "stack.compose" } },
  { name: "compose is empty", compose: "", patch: noBackupChecks, expect: { refused: "stack.compose" } },
  {
    name: "compose syntax error",
    compose: "services:\n  web:\n   image: x\n  bad\n",
    expect: { refused: "stack.compose" },
  },
  { name: "compose tab", compose: "services:\n\tweb:\n\t\timage: x\n", expect: { refused: "stack.compose" } },
  { name: "compose a list", compose: "- a\n", patch: noBackupChecks, expect: { refused: "stack.compose" } },
  {
    name: "compose binary",
    compose: "\u0000\u0001\u00ff",
    patch: noBackupChecks,
    expect: { refused: "stack.compose" },
  },
  { name: "compose duplicate keys", compose: `${WEB}  web:\n    image: x\n`, expect: { refused: "stack.compose" } },
  app("service without image or build", "  bare:\n    command: ['true']\n", "stack.compose"),
  app("network_mode host with ports", "    network_mode: host\n", undefined),
  app("service name with space", "  'bad name':\n    image: x\n", "stack.compose"),
  { name: "compose undefined alias", compose: `${WEB}    environment: *nope\n`, expect: { refused: "stack.compose" } },
  {
    name: "compose alias bomb",
    compose: `x-a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `x-${i}: &a${i} [${`*${i ? `a${i - 1}` : "a"}, `.repeat(10).slice(0, -2)}]`).join("\n")}\n${WEB}`,
    expect: { refused: "stack.compose" },
  },
  app("CRLF compose", "", undefined, { compose: (WEB + "    restart: always\n").replace(/\n/g, "\r\n") }),
];
