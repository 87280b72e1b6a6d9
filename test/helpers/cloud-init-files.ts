// What a rendered document puts on the server, file by file as bytes, read two ways: by the `yaml`
// package, and by cloud-init's own reading (PyYAML safe_load, cloud-init's write_files decoding,
// Python's tarfile for the bundle), because that is what runs on the server.
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
doc = yaml.safe_load(sys.stdin.buffer.read())
out = {}
for f in doc.get("write_files", []):
    enc, data = f.get("encoding", "text/plain"), f.get("content", "")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if enc in ("gz+b64", "gzip+base64", "gz+base64", "gzip+b64"): raw = gzip.decompress(base64.b64decode(raw))
    elif enc in ("b64", "base64"): raw = base64.b64decode(raw)
    if f["path"].endswith("/bundle.tar"):
        with tarfile.open(fileobj=io.BytesIO(raw)) as t:
            for m in t.getmembers():
                if m.isfile(): out["/" + m.name.lstrip("/")] = base64.b64encode(t.extractfile(m).read()).decode()
    else: out[f["path"]] = base64.b64encode(raw).decode()
print(json.dumps(out))
`;

export async function cloudInitFiles(doc: string): Promise<Map<string, Buffer>> {
  const r = await run(["/usr/bin/python3", "-c", PY_DECODE], { input: doc, allowFailure: true, timeoutMs: 60_000 });
  if (/No module named 'yaml'/.test(r.stderr))
    throw new Error("PyYAML is missing: apt-get install python3-yaml (cloud-init depends on it)");
  if (r.exitCode !== 0)
    throw new Error(`PyYAML cannot read the document:\n${r.stderr.trim().split("\n").slice(-3).join("\n")}`);
  return new Map(
    Object.entries(JSON.parse(r.stdout) as Record<string, string>).map(([p, b]) => [p, Buffer.from(b, "base64")]),
  );
}

/** Both readers, by name. */
export const readers = { yaml: async (doc: string) => serverFiles(doc), "PyYAML (cloud-init)": cloudInitFiles };
