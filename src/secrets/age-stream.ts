// Streaming age decryption (backups of gigabytes): the header is parsed once it has arrived, then
// each 64 KiB chunk is opened as soon as the next byte shows it is not the final one. At most
// two chunks are held at a time.
import { Transform, type TransformCallback } from "node:stream";
import { damaged, fileKey, INCOMPLETE, parseHeader, PayloadOpener, SEALED_CHUNK } from "./age-decrypt.js";
import type { X25519Identity } from "./age-identity.js";

// A real header is a few hundred bytes; a longer run without its end is not an age file.
const MAX_HEADER = 1 << 20;

export class AgeDecryptStream extends Transform {
  private pending: Buffer[] = [];
  private size = 0;
  private opener: PayloadOpener | undefined;

  constructor(private readonly ids: X25519Identity[]) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.pending.push(chunk);
      this.size += chunk.length;
      if (!this.opener && !this.start()) return done();
      while (this.size > SEALED_CHUNK) this.push(this.opener!.open(this.splitOff(SEALED_CHUNK), false));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.opener) damaged();
      this.push(this.opener.open(this.splitOff(this.size), true));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** Unwraps the file key once the header and the payload nonce are in; false until then. */
  private start(): boolean {
    const buf = this.splitOff(0);
    const header = parseHeader(buf);
    if (header === INCOMPLETE) {
      if (buf.length > MAX_HEADER) damaged();
      return false;
    }
    if (buf.length < header.end + 16) return false;
    this.opener = new PayloadOpener(fileKey(header, this.ids), buf.subarray(header.end, header.end + 16));
    this.pending = [buf.subarray(header.end + 16)];
    this.size = buf.length - header.end - 16;
    return true;
  }

  /** The first n pending bytes, removed (n = 0: all of them joined, left in place). */
  private splitOff(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [all.subarray(n)];
    this.size = all.length - n;
    return n === 0 ? all : all.subarray(0, n);
  }
}
