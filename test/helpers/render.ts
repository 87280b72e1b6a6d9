// Shared test helpers: render the examples, decode what the document puts on the server.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { compile, type CompileOptions } from "../../src/compile.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const DEMO_IDENTITY = join(ROOT, "examples", "demo-identity.txt");
export const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export const testEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  FIRSTBOOT_IDENTITY: DEMO_IDENTITY,
  ...extra,
});

export async function renderOk(configPath: string, opts: CompileOptions = {}) {
  const r = await compile(configPath, { env: testEnv(), ...opts });
  if (!r.ok) throw new Error(`render failed:\n${r.text}`);
  return r;
}

export interface FileOnServer {
  path: string;
  mode: string;
  content: string;
}

/** Unpack a ustar archive (as our tar.ts writes it) into files. */
function untar(buf: Buffer): FileOnServer[] {
  const out: FileOnServer[] = [];
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) =>
      h
        .subarray(a, a + n)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const name = (str(345, 155) ? str(345, 155) + "/" : "") + str(0, 100);
    const size = Number.parseInt(str(124, 12), 8);
    out.push({
      path: "/" + name,
      mode: "0" + Number.parseInt(str(100, 8), 8).toString(8),
      content: buf.subarray(off + 512, off + 512 + size).toString("utf8"),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Every file the document writes on the server, decoded (gzip+base64 and the tar bundle). */
export function filesOf(document: string): FileOnServer[] {
  const doc = parse(document) as {
    write_files?: { path: string; permissions: string; encoding?: string; content: string }[];
  };
  return (doc.write_files ?? []).flatMap((f) => {
    const raw =
      f.encoding === "gz+b64"
        ? gunzipSync(Buffer.from(f.content, "base64"))
        : Buffer.from(f.content, f.encoding === "b64" ? "base64" : "utf8");
    if (f.path === "/var/lib/firstboot/bundle.tar") return untar(raw);
    return [{ path: f.path, mode: f.permissions, content: raw.toString("utf8") }];
  });
}

export function tmp(prefix = "firstboot-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTree(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    execFileSync("mkdir", ["-p", join(dir, name, "..")]);
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export const read = (p: string) => readFileSync(p, "utf8");
