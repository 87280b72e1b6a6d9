// The line rule (src/config/line-safe.ts) covers every string of the config schema: the test walks
// the schema, and each string either refuses every control character, line break and lone
// surrogate with the rule's own message, or is listed in FREE_TEXT with why it never reaches a
// line-oriented file. A new field therefore cannot forget the rule. Secrets held to the same rule
// are checked through the real loader (values from FIRSTBOOT_SECRET_*), and never printed.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { loadConfig } from "../../src/config/load.js";
import { FREE_TEXT, LINE_CODE, lineFault } from "../../src/config/line-safe.js";
import { lineFaultAt } from "../../src/config/rules-secrets.js";
import { configSchema } from "../../src/config/schema.js";
import { formatDiagnostics } from "../../src/config/diagnostics.js";
import { tmp, writeTree } from "../helpers/render.js";

type Def = Record<string, unknown> & { type: string };
const def = (s: unknown) => (s as { _zod: { def: Def } })._zod.def;

interface Leaf {
  /** Path pattern: `[]` any list entry, `*` any map value, `(key)` a map's keys. */
  path: string;
  schema: z.ZodType;
}

const join2 = (path: string, seg: string) => (seg === "[]" ? `${path}[]` : path ? `${path}.${seg}` : seg);

/** Every string schema in the tree. Fails on a kind of schema it does not know how to enter. */
function strings(schema: z.ZodType, path = ""): Leaf[] {
  const d = def(schema);
  const inner = (s: unknown, p = path) => strings(s as z.ZodType, p);
  switch (d.type) {
    case "string":
      return [{ path, schema }];
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
      return inner(d.innerType);
    case "pipe":
      return [...inner(d.in), ...inner(d.out)];
    case "union":
      return (d.options as z.ZodType[]).flatMap((o) => inner(o));
    case "object":
      return Object.entries(d.shape as Record<string, z.ZodType>).flatMap(([k, v]) => inner(v, join2(path, k)));
    case "array":
      return inner(d.element, join2(path, "[]"));
    case "record":
      return [...inner(d.keyType, join2(path, "(key)")), ...inner(d.valueType, join2(path, "*"))];
    case "enum":
    case "literal":
    case "number":
    case "boolean":
      return [];
    default:
      throw new Error(`the walk does not know schema type ${d.type} at ${path}: teach it, do not skip it`);
  }
}

const LEAVES = strings(configSchema);
const CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)), "\x7f"];
const BAD: [string, string][] = [
  ...CONTROLS.map((c): [string, string] => [`a${c}b`, LINE_CODE[lineFault(`a${c}b`)!]]),
  ["a\r\nb", LINE_CODE.newline],
  ["a\ud800b", LINE_CODE.surrogate],
  ["a\udc00", LINE_CODE.surrogate],
];

describe("the line rule covers every string in the schema", () => {
  it("finds the schema's strings", () => {
    expect(LEAVES.length).toBeGreaterThan(60);
    expect(LEAVES.map((l) => l.path)).toContain("backup.target.s3.region");
  });

  it("every FREE_TEXT entry names a string of the schema", () => {
    const paths = new Set(LEAVES.map((l) => l.path));
    for (const p of Object.keys(FREE_TEXT)) expect(paths.has(p), p).toBe(true);
  });

  it.each(LEAVES.filter((l) => !(l.path in FREE_TEXT)).map((l) => [l.path, l] as const))(
    "%s refuses line breaks, control characters and lone surrogates with the rule's message",
    (_path, leaf) => {
      for (const [value, code] of BAD) {
        const r = leaf.schema.safeParse(value);
        expect(r.success, JSON.stringify(value)).toBe(false);
        expect(r.error?.issues.map((i) => i.message)).toEqual([code]);
      }
    },
  );

  it("lets through what a line can hold", () => {
    expect(lineFault("Grüße 😀 \u00a0 \u0085 \u2028 $'\"\\ #")).toBeUndefined();
    expect(lineFault("a\tb")).toBe("control");
    expect(lineFault("a\tb", { tab: true })).toBeUndefined();
    expect(lineFault("a\rb\n")).toBe("newline");
  });
});

const IDENTITY = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZ7VQ4DX";
const COMPOSE = "services:\n  app:\n    image: nginx:1.27.3-alpine\n    environment: { T: '${TOKEN}' }\n";

function config(): string {
  return `version: 1
name: demo
server:
  type: cx23
  location: nbg1
  image: ubuntu-24.04
  ssh_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq ops@laptop]
hardening: { firewall: false }
stack:
  compose: ./compose.yaml
  env: { TOKEN: { secret: token } }
  registry: { server: ghcr.io, username: bot, password: { secret: registry } }
  health: { services: [app] }
backup:
  encrypt_to: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]
  notify: { secret: notify }
  restore_identity: { secret: identity }
  target:
    s3:
      endpoint: https://fsn1.your-objectstorage.com
      bucket: backups
      access_key_id: { secret: key_id }
      secret_access_key: { secret: key }
`;
}

async function loadWith(secrets: Record<string, string>) {
  const dir = writeTree(tmp(), { "firstboot.yaml": config(), "compose.yaml": COMPOSE });
  const env: NodeJS.ProcessEnv = { HOME: "/nonexistent", FIRSTBOOT_IDENTITY: "/nonexistent" };
  for (const [k, v] of Object.entries(secrets)) env[`FIRSTBOOT_SECRET_${k.toUpperCase()}`] = v;
  return loadConfig(join(dir, "firstboot.yaml"), { env });
}

const ONE_LINE = { token: "t0k", registry: "pw", notify: "https://hc-ping.com/x", key_id: "AKIA", key: "s3cr3t" };

describe("secrets are held to the rule of the key that uses them", () => {
  it("accepts one-line secrets, and multi-line ones where a whole file holds them", async () => {
    const r = await loadWith({ ...ONE_LINE, registry: "pass\nword", identity: `# created: now\n${IDENTITY}\n` });
    expect(r.ok ? [] : formatDiagnostics(r.diagnostics)).toEqual([]);
  });

  it("refuses line breaks and control characters where a line holds them, naming the secret only", async () => {
    const bad = { token: "a\nb", notify: "https://x\n", key_id: "AKIA\rX", key: "s3\u0000cr3t" };
    const r = await loadWith({ ...ONE_LINE, ...bad, identity: IDENTITY });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => [d.path, d.message.split(",")[0]])).toEqual([
      ["stack.env.TOKEN", "secret `token` contains a line break"],
      ["backup.notify", "secret `notify` contains a line break"],
      ["backup.target.s3.access_key_id", "secret `key_id` contains a carriage return"],
      ["backup.target.s3.secret_access_key", "secret `key` contains a control character"],
    ]);
    const text = formatDiagnostics(r.diagnostics);
    for (const v of Object.values(bad)) expect(text).not.toContain(v.trim());
  });

  it("a tab is fine in a .env secret, not in rclone.conf", () => {
    expect(lineFaultAt(["stack", "env", "X"], "a\tb")).toBeUndefined();
    expect(lineFaultAt(["backup", "target", "s3", "access_key_id"], "a\tb")).toBe("control");
    expect(lineFaultAt(["backup", "target", "sftp", "key"], "-----BEGIN\nx\n-----END\n")).toBeUndefined();
  });
});
