// firstboot diff's comparison on hand-made documents (the system's `diff -u` does the text): files
// only in one document, mode changes, bundled files compared decoded, the rest of the
// cloud-config; and the document reader's refusals, which make `diff` exit 2.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffDocuments, readInput, REST_LABEL } from "../../src/commands/diff-documents.js";
import { Exit } from "../../src/commands/io.js";
import { fitDocument } from "../../src/render/pack.js";
import type { ServerFile } from "../../src/render/part.js";
import { DocumentError, readDocument } from "../../src/render/read-document.js";
import { tmp } from "../helpers/render.js";

const prog = (path: string, text: string, mode = "0755"): ServerFile => ({ path, mode, content: text });

/** A document whose firstboot files travel in the bundle (target 0), the user's file plain. */
function doc(files: ServerFile[], runcmd: string[][] = [["/usr/local/lib/firstboot/firstboot.sh"]]): string {
  return fitDocument({ hostname: "h" }, files, { runcmd }, 0).text;
}

async function inputs(a: string, b: string) {
  const dir = tmp();
  writeFileSync(join(dir, "a.yaml"), a);
  writeFileSync(join(dir, "b.yaml"), b);
  return [await readInput(join(dir, "a.yaml")), await readInput(join(dir, "b.yaml"))] as const;
}

describe("diffDocuments", () => {
  const base = [
    prog("/usr/local/sbin/x", "#!/bin/sh\necho one\necho two\n"),
    prog("/etc/x.conf", "a = 1\n", "0644"),
    { ...prog("/opt/s/compose.yaml", "services: {}\n", "0644"), origin: "user" as const },
  ];

  it("is empty for the same files", async () => {
    const [a, b] = await inputs(doc(base), doc(base));
    expect(await diffDocuments(a, b)).toBe("");
  });

  it("names added and removed files and mode changes, and diffs bundled files as text", async () => {
    const changed = [
      prog("/usr/local/sbin/x", "#!/bin/sh\necho one\necho TWO\n", "0700"),
      base[2]!,
      prog("/etc/y.conf", "b = 2\n", "0644"),
    ];
    const [a, b] = await inputs(doc(base), doc(changed));
    expect(readDocument(doc(changed)).files.map((f) => f.path)).toContain("/usr/local/sbin/x");
    const out = await diffDocuments(a, b);
    expect(out).toContain("only in A: /etc/x.conf (0644)\n--- a/etc/x.conf\n+++ /dev/null\n");
    expect(out).toContain("only in B: /etc/y.conf (0644)\n--- /dev/null\n+++ b/etc/y.conf\n");
    expect(out).toContain("mode of /usr/local/sbin/x: 0755 -> 0700\n--- a/usr/local/sbin/x\n+++ b/usr/local/sbin/x\n");
    expect(out).toContain(" echo one\n-echo two\n+echo TWO\n");
    expect(out).not.toContain("compose.yaml");
  });

  it("shows a change outside write_files under its own label", async () => {
    const [a, b] = await inputs(doc(base), doc(base, [["echo", "other"]]));
    const out = await diffDocuments(a, b);
    expect(out).toContain(`--- a ${REST_LABEL}\n+++ b ${REST_LABEL}\n`);
    expect(out).toContain("+    - other\n");
  });
});

describe("readDocument refuses what is not a rendered document", () => {
  it.each([
    ["no header", "write_files: []\n", "its first line is not #cloud-config"],
    ["a list", "#cloud-config\n- a\n", "it is not a map of cloud-config keys"],
    [
      "a path with ..",
      "#cloud-config\nwrite_files:\n  - path: /etc/../x\n    content: a\n",
      "not a plain absolute path",
    ],
    ["a relative path", "#cloud-config\nwrite_files:\n  - path: etc/x\n", "not a plain absolute path"],
    ["a bad mode", "#cloud-config\nwrite_files:\n  - path: /x\n    permissions: rw\n", "is not an octal mode"],
    [
      "bad gzip",
      "#cloud-config\nwrite_files:\n  - path: /x\n    encoding: gz+b64\n    content: aGk=\n",
      "does not decompress",
    ],
    [
      "a damaged bundle",
      `#cloud-config\nwrite_files:\n  - path: /var/lib/firstboot/bundle.tar\n    encoding: b64\n    content: ${Buffer.alloc(600, 1).toString("base64")}\n`,
      "not a tar archive",
    ],
  ])("%s", (_name, text, why) => {
    expect(() => readDocument(text)).toThrow(DocumentError);
    expect(() => readDocument(text)).toThrow(why);
  });

  it("makes diff exit 2 naming the file", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "bad.yaml"), "hello\n");
    const err = await readInput(join(dir, "bad.yaml")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Exit);
    expect((err as Exit).code).toBe(2);
    expect((err as Exit).message).toContain("bad.yaml: not a firstboot user-data document");
  });
});
