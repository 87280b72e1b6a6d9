// What a rendered document puts on the server, file by file as bytes, read two ways: by the `yaml`
// package, and by cloud-init's own reading (PyYAML safe_load, cloud-init's write_files decoding,
// Python's tarfile for the bundle), because that is what runs on the server. With cloud-init
// installed (as on the test machines), its own cc_write_files functions decode each entry.
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { run } from "../../src/exec.js";

/** A minimal ustar reader (what src/render/tar.ts writes: prefix + name, octal size). */
function untar(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const str = (off: number, len: number) =>
    buf
      .subarray(off, off + len)
      .toString("utf8")
      .replace(/\0.*$/s, "");
  for (let off = 0; off + 512 <= buf.length;) {
    const name = str(off, 100);
    if (name === "") break;
    const prefix = str(off + 345, 155);
    const size = Number.parseInt(str(off + 124, 12).trim(), 8);
    out.set("/" + (prefix ? `${prefix}/${name}` : name).replace(/^\/+/, ""), buf.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

interface WriteFile {
  path: string;
  content?: string;
  encoding?: string;
}

function decode(f: WriteFile): Buffer {
  const content = f.content ?? "";
  switch (f.encoding ?? "text/plain") {
    case "gz+b64":
    case "gzip+base64":
    case "gz+base64":
    case "gzip+b64":
      return gunzipSync(Buffer.from(content, "base64"));
    case "b64":
    case "base64":
      return Buffer.from(content, "base64");
    case "text/plain":
      return Buffer.from(content, "utf8");
    default:
      throw new Error(`unknown write_files encoding ${f.encoding}`);
  }
}

/** Every file the document puts on the server, by path, as the `yaml` package reads it. */
export function serverFiles(doc: string): Map<string, Buffer> {
  const parsed = parse(doc) as { write_files?: WriteFile[] };
  const files = new Map<string, Buffer>();
  for (const f of parsed.write_files ?? []) {
    const data = decode(f);
    if (f.path.endsWith("/bundle.tar")) for (const [p, b] of untar(data)) files.set(p, b);
    else files.set(f.path, data);
  }
  return files;
}

// cloud-init's own reading: PyYAML safe_load, cloud-init's write_files decoding, tarfile.
const PY_DECODE = `
import base64, gzip, io, json, sys, tarfile, yaml
try:  # cloud-init's own write_files decoding and permissions, when it is installed
    from cloudinit.config.cc_write_files import canonicalize_extraction, decode_perms, extract_contents
except ImportError:
    def canonicalize_extraction(enc):
        enc = (enc or "text/plain").lower()
        return ["application/x-gzip", "application/base64"] if enc in ("gz+b64", "gzip+base64", "gz+base64", "gzip+b64") else ["application/base64"] if enc in ("b64", "base64") else ["text/plain"]
    def extract_contents(data, ex):
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if "application/base64" in ex: raw = base64.b64decode(raw)
        if "application/x-gzip" in ex: raw = gzip.decompress(raw)
        return raw
    def decode_perms(p, default): return default if p is None else (p if isinstance(p, int) else int(str(p), 8))
doc = yaml.safe_load(sys.stdin.buffer.read())
out = {}
for f in sorted(doc.get("write_files", []), key=lambda f: bool(f.get("defer"))):
    raw = extract_contents(f.get("content", ""), canonicalize_extraction(f.get("encoding")))
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    if f["path"].endswith("/bundle.tar"):
        with tarfile.open(fileobj=io.BytesIO(raw)) as t:
            for m in t.getmembers():
                if m.isfile(): out["/" + m.name.lstrip("/")] = [base64.b64encode(t.extractfile(m).read()).decode(), "%04o" % m.mode]
    else: out[f["path"]] = [base64.b64encode(raw).decode(), "%04o" % decode_perms(f.get("permissions"), 0o644)]
print(json.dumps(out))
`;

export interface CloudInitFile {
  data: Buffer;
  /** Four octal digits, as cloud-init (or tar) applies the entry's permissions. */
  mode: string;
}

/** Every file with its mode, the way cloud-init reads the document (its own decode_perms when installed). */
export async function cloudInitEntries(doc: string): Promise<Map<string, CloudInitFile>> {
  const r = await run(["/usr/bin/python3", "-c", PY_DECODE], { input: doc, allowFailure: true, timeoutMs: 60_000 });
  if (/No module named 'yaml'/.test(r.stderr))
    throw new Error("PyYAML is missing: apt-get install python3-yaml (cloud-init depends on it)");
  if (r.exitCode !== 0)
    throw new Error(`PyYAML cannot read the document:\n${r.stderr.trim().split("\n").slice(-3).join("\n")}`);
  return new Map(
    Object.entries(JSON.parse(r.stdout) as Record<string, [string, string]>).map(([p, [b, mode]]) => [
      p,
      { data: Buffer.from(b, "base64"), mode },
    ]),
  );
}

export async function cloudInitFiles(doc: string): Promise<Map<string, Buffer>> {
  return new Map([...(await cloudInitEntries(doc))].map(([p, f]) => [p, f.data]));
}

/** Both readers, by name. */
export const readers = { yaml: async (doc: string) => serverFiles(doc), "PyYAML (cloud-init)": cloudInitFiles };
