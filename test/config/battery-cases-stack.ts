// Battery cases: stack.env keys and values, secrets, stack.files, health.
import type { Case, Cfg } from "./battery-harness.js";

const env = (name: string, key: string, value: unknown, ok: boolean): Case => ({
  name,
  patch: (c: Cfg) => void (c.stack.env[key] = value),
  expect: ok ? "accepted" : { refused: "stack.env" },
});
const files = (
  name: string,
  map: Record<string, string>,
  prefix: string | undefined,
  extra: Partial<Case> = {},
): Case => ({
  name,
  patch: (c: Cfg) => void Object.assign(c.stack.files, map),
  expect: prefix === undefined ? "accepted" : { refused: prefix },
  ...extra,
});

const BINARY = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37 + 11) % 256));

export const stackCases: Case[] = [
  env("env key lowercase", "lower_case", "x", true),
  env("env key starting with a digit", "1ABC", "x", false),
  env("env key with =", "A=B", "x", false),
  env("env key with space", "A B", "x", false),
  env("env key with dash", "A-B", "x", false),
  env("env key empty", "", "x", false),
  env("env value trailing backslash", "TB", "C:\\dir\\", true),
  env("env value quotes", "Q", `it's "both" \`x\``, true),
  env("env value dollar forms", "D", "$HOME ${X:-y} $$ $", true),
  env("env value newline", "NL", "a\nb", false),
  env("env value carriage return", "CR", "a\rb", false),
  env("env value NUL", "NUL", "a\u0000b", false),
  env("env value tab", "TAB", "a\tb", true),
  env("env value unicode", "U", "Grüße 😀 \u202e", true),
  env("env value only spaces", "SP", "   ", true),
  env("env value empty", "E", "", true),
  env("env value number", "N", 8080, false),
  env("env value boolean", "B", true, false),
  env("env value null", "NULLV", null, false),
  env("env value list", "L", ["a"], false),
  env("env value hash", "H", "#x # y", true),
  {
    name: "env value lone surrogate escape",
    text: (t) => t.replace("DOMAIN: example.com", 'DOMAIN: example.com\n    SUR: "a\\ud800b"'),
    expect: { refused: "stack.env" },
  },
  {
    name: "env COMPOSE_FILE",
    patch: (c) => void (c.stack.env.COMPOSE_FILE = "other.yaml"),
    expect: { refused: "stack.env" },
  },
  {
    name: "env COMPOSE_PROJECT_NAME",
    patch: (c) => void (c.stack.env.COMPOSE_PROJECT_NAME = "x"),
    expect: { refused: "stack.env" },
  },
  // secrets
  {
    name: "secret undefined",
    patch: (c) => void (c.stack.env.X = { secret: "nosuch" }),
    expect: { refused: "stack.env" },
  },
  {
    name: "secret name uppercase",
    patch: (c) => void (c.stack.env.X = { secret: "NOSUCH" }),
    expect: { refused: "stack.env" },
  },
  {
    name: "secret ref extra key",
    patch: (c) => void (c.stack.env.X = { secret: "db_password", x: 1 }),
    expect: { refused: "stack.env" },
  },
  { name: "secrets file missing but named", patch: (c) => void (c.secrets = { file: "nope.age" }), expect: "accepted" },
  // stack.files
  files("file with ..", { "a.conf": "../outside.conf" }, "stack.files"),
  files("file absolute", { "p.txt": "/etc/passwd" }, "stack.files"),
  files("file symlink to /etc/passwd", { "p.txt": "./p.txt" }, "stack.files", { links: { "p.txt": "/etc/passwd" } }),
  files("file symlink inside", { "l.txt": "./l.txt" }, undefined, { links: { "l.txt": "Caddyfile" } }),
  files("file is a directory", { conf: "./confdir" }, "stack.files", { dirs: ["confdir"] }),
  files("file missing", { "m.txt": "./missing.txt" }, "stack.files"),
  files("dest .env", { ".env": "./Caddyfile" }, "stack.files"),
  files("dest compose.yaml", { "compose.yaml": "./Caddyfile" }, "stack.files"),
  files("dest with ..", { "../x": "./Caddyfile" }, "stack.files"),
  files("dest absolute", { "/etc/x": "./Caddyfile" }, "stack.files"),
  files("dest with newline", { "a\nb": "./Caddyfile" }, "stack.files"),
  files("binary file", { "bin/blob.dat": "./blob.dat" }, undefined, { files: { "blob.dat": BINARY } }),
  files("empty stack file", { "empty.txt": "./empty.txt" }, undefined, { files: { "empty.txt": "" } }),
  files("file with CRLF and NUL", { "w.txt": "./w.txt" }, undefined, { files: { "w.txt": "a\r\n\0b\r\n" } }),
  // stack.compose itself
  {
    name: "compose missing",
    patch: (c) => void (c.stack.compose = "./nope.yaml"),
    expect: { refused: "stack.compose" },
  },
  {
    name: "compose outside",
    patch: (c) => void (c.stack.compose = "../compose.yaml"),
    expect: { refused: "stack.compose" },
  },
  {
    name: "compose is a dir",
    patch: (c) => void (c.stack.compose = "./cdir"),
    dirs: ["cdir"],
    expect: { refused: "stack.compose" },
  },
  { name: "compose empty string", patch: (c) => void (c.stack.compose = ""), expect: { refused: "stack.compose" } },
  // health
  {
    name: "health service unknown",
    patch: (c) => void (c.stack.health.services = ["nosuch"]),
    expect: { refused: "stack.health" },
  },
  {
    name: "health url ftp",
    patch: (c) => void (c.stack.health.url = "ftp://127.0.0.1/"),
    expect: { refused: "stack.health.url" },
  },
  {
    name: "health url with quote",
    patch: (c) => void (c.stack.health.url = "http://x/'$(id)"),
    expect: { refused: "stack.health.url" },
  },
  {
    name: "health timeout bad",
    patch: (c) => void (c.stack.health.timeout = "forever"),
    expect: { refused: "stack.health.timeout" },
  },
  { name: "health url ok", patch: (c) => void (c.stack.health.url = "http://127.0.0.1:80/up"), expect: "accepted" },
  // registry
  {
    name: "registry server with scheme",
    patch: (c) => void (c.stack.registry = { server: "https://ghcr.io", username: "u", password: "p" }),
    expect: { refused: "stack.registry" },
  },
  {
    name: "registry ok",
    patch: (c) => void (c.stack.registry = { server: "ghcr.io", username: "u", password: { secret: "db_password" } }),
    expect: "accepted",
  },
];
