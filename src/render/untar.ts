// Reads the ustar archives tar.ts writes (regular files, prefix + name), checksum checked, so
// `render --files` and `firstboot diff` see the bundle's files as the server unpacks them.
import { pack as msg } from "../catalogue.js";
import type { TarEntry } from "./tar.js";

function field(h: Buffer, off: number, len: number): string {
  const raw = h.subarray(off, off + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString("utf8");
}

function octal(h: Buffer, off: number, len: number, what: string): number {
  const text = field(h, off, len).trim();
  if (!/^[0-7]+$/.test(text)) throw new Error(msg.tarDamaged(what));
  return Number.parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === octal(h, 148, 8, "checksum");
}

/** The archive's regular files in order; anything else (links, devices, damage) is refused. */
export function untar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return out;
    if (!checksumOk(h)) throw new Error(msg.tarDamaged("checksum"));
    const type = field(h, 156, 1);
    if (type !== "0" && type !== "") throw new Error(msg.tarDamaged(`entry type ${JSON.stringify(type)}`));
    const prefix = field(h, 345, 155);
    const name = (prefix ? `${prefix}/` : "") + field(h, 0, 100);
    const size = octal(h, 124, 12, "size");
    if (off + 512 + size > buf.length) throw new Error(msg.tarDamaged("truncated"));
    out.push({
      name,
      mode: octal(h, 100, 8, "mode") & 0o7777,
      content: Buffer.from(buf.subarray(off + 512, off + 512 + size)),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(msg.tarDamaged("no end marker"));
}
