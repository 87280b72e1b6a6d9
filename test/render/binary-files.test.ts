// Stack files that are not UTF-8 text arrive byte for byte in every packing the document uses:
// plain (base64 entries), per-file gzip+base64, and the gzip+base64 tar bundle. The documents
// are decoded the way cloud-init reads them (PyYAML, write_files encodings, tarfile) and by `yaml`.
// UTF-8 text files stay readable text in the plain document.
import { describe, expect, it } from "vitest";
import { fitDocument } from "../../src/render/pack.js";
import type { ServerFile } from "../../src/render/part.js";
import { stackPart } from "../../src/render/stack.js";
import { configSchema } from "../../src/config/schema.js";
import type { RenderContext } from "../../src/render/part.js";
import { imageInfo } from "../../src/config/images.js";
import { readers } from "../helpers/cloud-init-files.js";

const BLOBS: Record<string, Buffer> = {
  "logo.png": Buffer.concat([
    Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"),
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 197 + (i >> 3)) % 256)),
  ]),
  "latin1.txt": Buffer.from("Grüße aus Köln\n", "latin1"),
  "cut.txt": Buffer.concat([Buffer.from("half an emoji: "), Buffer.from("😀").subarray(0, 3)]),
  "nul.bin": Buffer.from([0, 0, 0x0d, 0x0a, 0x41, 0, 0xc3]),
  "crlf.txt": Buffer.from("[s]\r\nkey = value\r\n"),
  "plain.txt": Buffer.from("just text\n"),
};

const cfg = configSchema.parse({
  version: 1,
  name: "bin",
  server: {
    type: "cx23",
    location: "nbg1",
    image: "ubuntu-24.04",
    ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq ops@laptop"],
  },
  stack: { compose: "./compose.yaml", files: Object.fromEntries(Object.keys(BLOBS).map((k) => [k, `./${k}`])) },
});
const ctx: RenderContext = {
  name: "bin",
  stackDir: "/opt/bin",
  image: imageInfo("ubuntu-24.04", "cx23"),
  reveal: (v) => (typeof v === "string" ? v : "x"),
};

function stackFiles(): ServerFile[] {
  return stackPart(cfg, ctx, { compose: "services: {}\n", files: BLOBS }).files ?? [];
}

/** A document in the given packing: the plain target and the limit decide how hard fitDocument packs. */
function documentAt(target: number, limit = target) {
  return fitDocument({}, stackFiles(), { runcmd: [] }, target, limit);
}

/** The same files as if they were firstboot's own: they go in the bundle first. */
function bundledDocument() {
  const own = stackFiles().map(({ origin, ...f }) => (void origin, f));
  return fitDocument({}, own, { runcmd: [] }, 0, 1_000_000);
}

describe("binary stack files", () => {
  it("keeps UTF-8 text as text and marks only the other bytes base64", () => {
    const byPath = new Map(stackFiles().map((f) => [f.path, f]));
    expect(byPath.get("/opt/bin/plain.txt")).toMatchObject({ content: "just text\n" });
    expect(byPath.get("/opt/bin/plain.txt")?.encoding).toBeUndefined();
    expect(byPath.get("/opt/bin/crlf.txt")?.encoding).toBeUndefined();
    for (const name of ["logo.png", "latin1.txt", "cut.txt"])
      expect(byPath.get(`/opt/bin/${name}`)?.encoding, name).toBe("b64");
    expect(documentAt(1_000_000).text).toContain("just text\n");
  });

  // The stack files are the user's own: gzip reaches them only past the limit.
  it.each([
    ["plain", 1_000_000, 1_000_000],
    ["gzip", 0, 6_000],
    ["bundle", 0, 0],
  ] as const)(
    "arrives byte for byte when packed %s",
    async (packing, target, limit) => {
      const fit = packing === "bundle" ? bundledDocument() : documentAt(target, limit);
      expect(fit.packing).toBe(packing);
      expect(fit.compressed.has("/opt/bin/logo.png")).toBe(packing !== "plain");
      for (const [name, read] of Object.entries(readers)) {
        const files = await read(fit.text);
        for (const [dest, bytes] of Object.entries(BLOBS))
          expect(files.get(`/opt/bin/${dest}`)?.toString("hex"), `${name}: ${dest}`).toBe(bytes.toString("hex"));
      }
    },
    60_000,
  );
});
