// Battery cases: damage to firstboot.yaml as a YAML file (syntax, encoding, shape, size).
import type { Case } from "./battery-harness.js";

const FILE = { refused: "<file>" };
const bomb = [
  "a: &a [x, x, x, x, x, x, x, x, x, x]",
  ...Array.from({ length: 8 }, (_, i) => {
    const p = String.fromCharCode(97 + i);
    const n = String.fromCharCode(98 + i);
    return `${n}: &${n} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
  }),
].join("\n");

export const yamlCases: Case[] = [
  { name: "tab indentation", text: (t) => t.replace("  type: cx23", "\ttype: cx23"), expect: FILE },
  { name: "unclosed double quote", text: (t) => t.replace("name: battery", 'name: "battery'), expect: FILE },
  { name: "unclosed single quote", text: (t) => t.replace("location: nbg1", "location: 'nbg1"), expect: FILE },
  { name: "unclosed flow sequence", text: (t) => t + "extra: [a, b\n", expect: FILE },
  { name: "unclosed flow map", text: (t) => t.replace("name: battery", "name: {a: b"), expect: FILE },
  { name: "bad indentation", text: (t) => t.replace("  location: nbg1", "    location: nbg1"), expect: FILE },
  { name: "undefined alias", text: (t) => t.replace("name: battery", "name: *nope"), expect: { refused: "name" } },
  // Labelled with the key where the expansion crosses the limit (a list inside `e`).
  { name: "alias bomb", text: (t) => `${t}${bomb}\n`, expect: { refused: "e" } },
  { name: "duplicate top-level key", text: (t) => `${t}name: other\n`, expect: { refused: "name" } },
  {
    name: "duplicate nested key",
    text: (t) => t.replace("  location: nbg1", "  location: nbg1\n  location: fsn1"),
    expect: { refused: "server.location" },
  },
  { name: "two documents", text: (t) => `${t}---\nversion: 1\n`, expect: FILE },
  {
    name: "binary garbage",
    text: () => Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x89, 0x50, 0x4e, 0x47, 0x0a, 0x1b]),
    expect: FILE,
  },
  { name: "empty file", text: () => "", expect: FILE },
  { name: "only a comment", text: () => "# nothing here\n", expect: FILE },
  { name: "a list at top level", text: () => "- version: 1\n- name: x\n", expect: FILE },
  { name: "a scalar at top level", text: () => "hello\n", expect: FILE },
  { name: "null document", text: () => "~\n", expect: FILE },
  {
    name: "latin-1 bytes (not UTF-8)",
    text: (t) => Buffer.from(t.replace("ops@laptop", "ops@läptop"), "latin1"),
    expect: { refused: "<file>" },
  },
  { name: "BOM before the config", text: (t) => "\uFEFF" + t, expect: "accepted" },
  { name: "CRLF line endings", text: (t) => t.replace(/\n/g, "\r\n"), expect: "accepted" },
  { name: "comments and flow style", text: (t) => `# a comment\n${t}# trailing\n`, expect: "accepted" },
  {
    name: "anchors in the config",
    text: (t) => t.replace("DOMAIN: example.com", "DOMAIN: &d example.com\n    OTHER: *d"),
    expect: "accepted",
  },
  {
    name: "huge name value",
    text: (t) => t.replace("name: battery", `name: ${"a".repeat(200_000)}`),
    expect: FILE,
  },
  // Config files are capped at 128 KiB (parse time and memory; user-data holds 32 KiB anyway).
  { name: "huge env value (1 MiB)", patch: (c) => void (c.stack.env.BIG = "x".repeat(1 << 20)), expect: FILE },
  {
    name: "YAML tag !!binary on a key",
    text: (t) => t.replace("name: battery", "name: !!binary YmF0dGVyeQ=="),
    expect: { refused: "name" },
  },
  {
    name: "custom tag",
    text: (t) => t.replace("name: battery", "name: !python/object x"),
    expect: { refused: "name" },
  },
  { name: "directive %YAML 1.1", text: (t) => `%YAML 1.1\n---\n${t}`, expect: "accepted" },
  { name: "version as string", text: (t) => t.replace("version: 1", 'version: "1"'), expect: { refused: "version" } },
  { name: "version 2", text: (t) => t.replace("version: 1", "version: 2"), expect: { refused: "version" } },
  { name: "no version", text: (t) => t.replace("version: 1\n", ""), expect: { refused: "version" } },
  {
    name: "merge key in config",
    text: (t) => t.replace("  type: cx23", "  <<: {type: cx23}"),
    expect: { refused: "" },
  },
];
