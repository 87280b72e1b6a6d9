// Hostile values survive rendering byte-for-byte: env values and stack files full of quotes, $,
// $(...), backticks, backslashes, #, edge spaces, unicode and YAML metacharacters, and stack files
// that are not UTF-8 text at all (a PNG, Latin-1, a cut UTF-8 sequence, NULs) go through the
// real CLI, and the rendered document, parsed with `yaml` (gz+b64 entries and the tar bundle
// decoded), gives back each stack file exactly and each env value as docker compose's own .env
// parser reads it (test/helpers/compose-dotenv.ts).
// The same document is also decoded by the system's PyYAML (cloud-init's own YAML parser, from
// the Debian package cloud-init depends on), because that is what reads it on the server.
// The YAML 1.1 hazards at the end (each rendered alone) are content that a naive `yaml` dump loses
// or that makes PyYAML reject the whole document.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { run } from "../../src/exec.js";
import { readers } from "../helpers/cloud-init-files.js";
import { expectComposeReads } from "../helpers/compose-dotenv.js";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "bin/firstboot.js");
const NAME = "hostile";
const STACK = `/opt/${NAME}`;

const ENV: Record<string, string> = {
  SINGLE: "it's",
  DOUBLE: 'say "hi"',
  BOTH: `it's "both"`,
  DOLLAR: "$HOME ${HOME} $$ $ ${X:-y} $1",
  DOLLAR_AND_QUOTE: "it's $HOME and ${PATH:-x} and $$",
  SUBSHELL: "$(rm -rf /) `id` $((1+1))",
  SUBSHELL_AND_QUOTE: "'$(id)' `id` \"$(whoami)\"",
  BACKSLASH: "C:\\path\\to\\n \\t \\' \\\" \\$ \\\\ end\\",
  TRAILING_BACKSLASH: "C:\\dir\\",
  BACKSLASH_AND_QUOTE: "it's a \\ back\\slash \\\" \\$HOME \\",
  HASH: "value # not a comment",
  HASH_START: "#starts with a hash",
  SPACES: "  leading and trailing  ",
  ONLY_SPACES: "   ",
  UNICODE: "Grüße 😀 日本語 \u202e rtl \u00a0nbsp é",
  YAML_MIX: "key: value - item {a: b} [c] &anchor *alias !tag %pct @at | > ? , ~",
  DASH_START: "- dash",
  COLON_END: "key:",
  BRACE_START: "{not: a map}",
  BRACKET_START: "[not, a, list]",
  AMP_START: "&anchor",
  STAR_START: "*alias",
  BANG_START: "!!binary",
  PCT_START: "%YAML 1.2",
  AT_START: "@at",
  QUOTE_START: "'half",
  DQUOTE_START: '"half',
  EMPTY: "",
  EQUALS: "a=b=c",
  TAB: "tab\there",
  LOOKS_BOOL: "yes",
  LOOKS_NULL: "null",
  LOOKS_NUMBER: "0x1F",
};
const SECRET_VALUE = `s3cr'et "$(id)" \`x\` \\ $HOME #1 : - { & * ! % @`;

/** Bytes that are not UTF-8 text: a PNG's header and pixels, Latin-1, a cut UTF-8 sequence. */
const PNG = Buffer.concat([
  Buffer.from("89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61", "hex"),
  Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 151 + 7) % 256)),
  Buffer.from("0000000049454e44ae426082", "hex"),
]);

const FILES: Record<string, string | Buffer> = {
  "logo.png": PNG,
  "latin1.conf": Buffer.from("name = Müller\r\ncity = Zürich\r\n", "latin1"),
  "cut-utf8.txt": Buffer.concat([
    Buffer.from("emoji cut in half: "),
    Buffer.from("😀").subarray(0, 2),
    Buffer.from("\n"),
  ]),
  "nul-crlf.bin": Buffer.from("text\0with NUL\r\nand CRLF\r\n\0\0\xff", "latin1"),
  "hostile.txt": `quotes ' " \` $HOME \${HOME} $(id) \\ \\n # hash\n: colon\n- dash\n{ brace } [ bracket ] & * ! % @ | > ?\n  leading spaces\ntrailing spaces   \n\ttab\nno final newline`,
  "crlf.conf": "[section]\r\nkey = value\r\npath = C:\\dir\r\n",
  "cloud.yaml": '#cloud-config\n---\n%YAML 1.2\nruncmd: ["echo pwned"]\n...\n',
  "unicode.txt":
    "\ufeffBOM first\nemoji 😀 \u202e rtl \u200b zwsp\nescape \u001b[31mred\u001b[0m bell \u0007 vt \u000b nul \u0000\n",
  "blank-lines.txt": "\n\nleading blank lines\nmiddle\n   \nwhitespace line above\ntrailing blank lines\n\n\n",
  "indented.txt": "  indented first line\n\ttab second\n",
  "nested/dir/app.conf": "a = 1\n\n\n",
  "empty.txt": "",
  "long-line.txt": `${"x".repeat(5000)} $\n`,
};

const COMPOSE = `# compose with hostile labels: $$ is compose's literal dollar
services:
  app:
    image: busybox:1.37.0
    command: ["sh", "-c", "echo '$$HOME' \\"$$(id)\\" \`date\` # not a comment"]
    labels:
      quote: "it's \\"quoted\\""
      meta: ': - { } [ ] & * ! % @ | > ?'
      env: \${SINGLE:-}-\${SECRET:-}
`;

/** Content a plain `yaml` block/quoted scalar loses or that PyYAML (YAML 1.1) cannot read. */
const YAML11_HAZARDS: Record<string, { file?: string; env?: string; why: string }> = {
  "whitespace-only": {
    file: "   \n\n  \n",
    why: "whitespace-only lines: a |+ block without an indentation indicator loses the spaces",
  },
  "line-separator": { file: "a\u2028b\u2029c\n", why: "U+2028/U+2029 are line breaks in YAML 1.1" },
  "next-line": {
    file: "a\u0085b\n",
    why: "U+0085 (NEL) is a line break in YAML 1.1: PyYAML would fold it into a space",
  },
  "del-and-c1": { file: "a\u007fb\u0080c\u009fd\n", why: "DEL and C1 controls are not printable in YAML 1.1" },
  noncharacter: { file: "a\uffffb\n", why: "U+FFFF is not printable in YAML 1.1" },
  "env-line-separator": { env: "a\u2028b", why: "an env value with U+2028 (the .env is a file too)" },
  "env-c1": { env: "a\u0085b\u0090c", why: "an env value with C1 controls" },
};

function config(files: Record<string, string | Buffer>, env: Record<string, unknown>): string {
  return stringify({
    version: 1,
    name: NAME,
    server: {
      type: "cx23",
      location: "nbg1",
      image: "ubuntu-24.04",
      ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq ops@laptop"],
    },
    stack: {
      compose: "./compose.yaml",
      files: Object.fromEntries(Object.keys(files).map((dest) => [dest, `./files/${dest}`])),
      env,
      health: { services: ["app"] },
    },
  });
}

const dirs: string[] = [];

/** Render a config holding these files and env values with the real CLI; the document text. */
async function renderWith(files: Record<string, string | Buffer>, env: Record<string, unknown>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "firstboot-hostile-"));
  dirs.push(dir);
  writeFileSync(join(dir, "firstboot.yaml"), config(files, env));
  writeFileSync(join(dir, "compose.yaml"), COMPOSE);
  for (const [dest, content] of Object.entries(files)) {
    const p = join(dir, "files", dest);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const cliEnv: Record<string, string | undefined> = {
    FIRSTBOOT_SECRET_HOSTILE_SECRET: SECRET_VALUE,
    FIRSTBOOT_IDENTITY: "/nonexistent",
  };
  for (const k of Object.keys(process.env)) if (k.startsWith("FIRSTBOOT_") && !(k in cliEnv)) cliEnv[k] = undefined;
  const out = join(dir, "user-data.yaml");
  const r = await run([process.execPath, CLI, "render", "firstboot.yaml", "-o", out], {
    cwd: dir,
    env: cliEnv,
    allowFailure: true,
    timeoutMs: 120_000,
  });
  if (r.exitCode !== 0) throw new Error(`render failed (${r.exitCode}):\n${r.stderr}`);
  return readFileSync(out, "utf8");
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("hostile values arrive byte-for-byte", () => {
  let doc: string;
  beforeAll(async () => {
    doc = await renderWith(FILES, { ...ENV, SECRET: { secret: "hostile_secret" } });
  }, 150_000);

  describe.each(Object.entries(readers))("read by %s", (_name, read) => {
    let files: Map<string, Buffer>;
    beforeAll(async () => {
      files = await read(doc);
    }, 60_000);

    it("writes the compose file unchanged", () => {
      expect(files.get(`${STACK}/compose.yaml`)?.toString("hex")).toBe(Buffer.from(COMPOSE).toString("hex"));
    });

    it.each(Object.entries(FILES))("stack file %s", (dest, content) => {
      const got = files.get(`${STACK}/${dest}`);
      expect(got, `${STACK}/${dest} is not in the document`).toBeDefined();
      expect(got!.toString("hex")).toBe(Buffer.from(content).toString("hex"));
    });

    it("every env value (and the secret) comes back from the .env exactly, read by compose", async () => {
      const env = files.get(`${STACK}/.env`);
      expect(env, ".env is not in the document").toBeDefined();
      await expectComposeReads(env!, { ...ENV, SECRET: SECRET_VALUE });
    });
  });
});

// Each renders alone: a document PyYAML cannot parse would hide every other result.
describe("YAML 1.1 hazards survive too (PyYAML is what cloud-init uses)", () => {
  const docs = new Map<string, string>();
  beforeAll(async () => {
    for (const [name, bug] of Object.entries(YAML11_HAZARDS)) {
      const files = bug.file === undefined ? {} : { [`${name}.txt`]: bug.file };
      docs.set(name, await renderWith(files, { PLAIN: "x", ...(bug.env === undefined ? {} : { VALUE: bug.env }) }));
    }
  }, 600_000);

  for (const [name, bug] of Object.entries(YAML11_HAZARDS)) {
    it(`${name}: ${bug.why}`, async () => {
      for (const read of Object.values(readers)) {
        const files = await read(docs.get(name)!);
        if (bug.file !== undefined)
          expect(files.get(`${STACK}/${name}.txt`)?.toString("hex")).toBe(Buffer.from(bug.file).toString("hex"));
        if (bug.env !== undefined)
          await expectComposeReads(files.get(`${STACK}/.env`) ?? "", { PLAIN: "x", VALUE: bug.env });
      }
    }, 60_000);
  }
});
