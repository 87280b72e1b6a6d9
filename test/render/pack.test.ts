// The packing policy on the real renders: the user's own files (compose file, .env, stack files)
// stay plain text in every example and in the README's config; firstboot's own programs are what
// gets compressed; the header comment says so exactly when something is compressed; and the
// headroom under the 32 KiB limit covers the host keys `up` adds.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, parseDocument, Scalar } from "yaml";
import { compile } from "../../src/compile.js";
import { itemBytes, itemsBytes, toWriteFile, USER_DATA_LIMIT } from "../../src/render/document.js";
import { render } from "../../src/render/index.js";
import { FIT_LIMIT, fitDocument } from "../../src/render/pack.js";
import type { ServerFile } from "../../src/render/part.js";
import { EXAMPLES, renderOk, ROOT, testEnv, tmp, writeTree } from "../helpers/render.js";
import { COMPOSE, readmeConfig } from "../helpers/readme-section.js";

const COMMENT = /^# firstboot's own programs \((\d+) files?, the same for every server\)/m;

/** The README's config with a compose file and Caddyfile that fit it (as test/readme.test.ts does). */
async function readmeRender(opts: { redact?: boolean } = {}) {
  const dir = writeTree(tmp(), { "firstboot.yaml": readmeConfig(), "compose.yaml": COMPOSE, Caddyfile: "x {\n}\n" });
  const r = await compile(join(dir, "firstboot.yaml"), {
    env: testEnv({ FIRSTBOOT_SECRET_DB_PASSWORD: "pw" }),
    ...opts,
  });
  if (!r.ok) throw new Error(r.text);
  return r;
}

/** The write_files entry of `path` as the document's YAML node. */
function contentNode(document: string, path: string): Scalar | undefined {
  const files = parseDocument(document).get("write_files");
  if (!isSeq(files)) return undefined;
  const item = files.items.find((i) => isMap(i) && i.get("path") === path);
  const node = isMap(item) ? item.get("content", true) : undefined;
  return isScalar(node) ? node : undefined;
}

const cases = [
  ...EXAMPLES.map((name) => [name, () => renderOk(join(ROOT, "examples", name, "firstboot.yaml"))] as const),
  ["README config", () => readmeRender()] as const,
];

describe.each(cases)("%s", (_name, renderIt) => {
  it("carries the user's own files as plain text, the compose file verbatim as a block scalar", async () => {
    const r = await renderIt();
    const user = r.files.filter((f) => f.origin === "user");
    const compose = user.find((f) => f.path.endsWith("/compose.yaml"))!;
    expect(compose.content).toBe(r.loaded.included.compose);
    const node = contentNode(r.document, compose.path);
    expect(node?.type).toBe(Scalar.BLOCK_LITERAL);
    expect(node?.value).toBe(compose.content);
    // Verbatim in the text itself, each line under the entry's indentation.
    const indented = compose.content.replace(/^(?=.)/gm, "      ");
    expect(r.document).toContain(`    content: |\n${indented}`);
    expect(r.userCompressed).toEqual([]);
    for (const f of user) {
      expect(r.compressed, f.path).not.toContain(f.path);
      if (f.encoding !== "b64") expect(contentNode(r.document, f.path)?.value, f.path).toBe(f.content);
    }
  });

  it("sizes each file's entry from one serialisation as from its own", async () => {
    const { files } = await renderIt();
    for (const gzip of [false, true]) {
      const entries = files.map((f) => toWriteFile(f, gzip));
      expect(itemsBytes(entries)).toEqual(entries.map(itemBytes));
    }
  });

  it("says in a header comment what is compressed, exactly when something is", async () => {
    const r = await renderIt();
    const m = COMMENT.exec(r.document);
    if (r.packing === "plain") {
      expect(r.compressed).toEqual([]);
      expect(r.document).not.toMatch(/^# /m);
      return;
    }
    expect(r.document.split("\n")[0]).toBe("#cloud-config");
    expect(Number(m?.[1])).toBe(r.compressed.length);
    expect(r.document).toContain("# Your files (compose file, .env, stack files) are plain text below.");
    // Only firstboot's own files are compressed.
    const own = new Set(r.files.filter((f) => f.origin !== "user").map((f) => f.path));
    for (const p of r.compressed) expect(own.has(p), p).toBe(true);
  });
});

it("leaves room under the limit for the host keys `up` adds: the same packing with and without them", async () => {
  const dir = tmp();
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "k")]);
  const hostKeys = {
    ed25519_private: readFileSync(join(dir, "k"), "utf8"),
    ed25519_public: readFileSync(join(dir, "k.pub"), "utf8").trim(),
  };
  for (const name of EXAMPLES) {
    const r = await renderOk(join(ROOT, "examples", name, "firstboot.yaml"));
    const withKeys = render(r.loaded, { hostKeys });
    // src/render/pack.ts's FIT_LIMIT comment quotes this figure (the key's comment adds its length).
    expect(withKeys.bytes - r.bytes).toBe(545);
    expect(withKeys.bytes - r.bytes).toBeLessThan(USER_DATA_LIMIT - FIT_LIMIT);
    expect([withKeys.packing, withKeys.compressed]).toEqual([r.packing, r.compressed]);
  }
});

describe("when firstboot's programs alone are not enough", () => {
  const own = (path: string, n: number): ServerFile => ({ path, mode: "0755", content: `echo ${path}\n`.repeat(n) });
  const user = (path: string, n: number): ServerFile => ({
    path,
    mode: "0644",
    origin: "user",
    content: Array.from({ length: n }, (_, i) => `line ${i} of ${path}\n`).join(""),
  });
  const files = [own("/usr/local/sbin/a", 200), user("/opt/s/big.conf", 300), user("/opt/s/compose.yaml", 40)];

  it("compresses the user's largest file first, keeps the others plain, and names it in the comment", () => {
    const plain = fitDocument({}, files, { runcmd: [] }, 0, 1_000_000);
    expect(plain.userCompressed).toEqual([]);
    const fit = fitDocument({}, files, { runcmd: [] }, 0, plain.text.length - 100);
    expect(fit.userCompressed).toEqual(["/opt/s/big.conf"]);
    expect(fit.compressed).toEqual(new Set(["/usr/local/sbin/a", "/opt/s/big.conf"]));
    expect(fit.text).toContain("# Your files compressed too, as the limit left no room: /opt/s/big.conf;");
    expect(fit.text).toContain("    content: |\n      line 0 of /opt/s/compose.yaml\n");
  });

  it("stays all plain, without a comment, under the plain target", () => {
    const fit = fitDocument({}, files, { runcmd: [] }, 1_000_000);
    expect([fit.packing, fit.compressed.size]).toEqual(["plain", 0]);
    expect(fit.text.split("\n")[1]).not.toMatch(/^#/);
  });
});
