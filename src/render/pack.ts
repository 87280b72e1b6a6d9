// Which file travels how. A document under PLAIN_TARGET stays plain text, readable in the Hetzner
// console. Past it, firstboot's own programs (the same for every server) are compressed first,
// either as one gzip+base64 tar bundle (it compresses across files) or gzipped one by one,
// whichever document is smaller; the user's own files (origin "user") stay plain text while the
// document fits FIT_LIMIT. Only then are the user's files gzipped, largest first, and as a last
// resort everything root owns goes into the bundle. A header comment says what is compressed.
import { byCodePoint } from "../compare.js";
import { pack as msg } from "../catalogue.js";
import { BUNDLE_PATH } from "../server-contract.js";
import type { ServerFile } from "./part.js";
import {
  bundleCommands,
  bundled,
  bytes,
  fileBytes as serverBytes,
  itemBytes,
  itemsBytes,
  PLAIN_TARGET,
  serialise,
  toWriteFile,
  USER_DATA_LIMIT,
  type Packing,
  type WriteFile,
} from "./document.js";

/**
 * The user's files stay plain up to this size, not up to the hard limit: `validate`, `render`
 * and `size` render without the server's SSH host keys, which `up`, `replace` and `build-image`
 * add (545 bytes plus the key's comment, checked in test/render/pack.test.ts), and real secrets are longer than
 * `--redact`'s markers (up to 374 bytes in the examples). 2 KiB of room keeps the packing the
 * user reviews the packing the server gets.
 */
export const FIT_LIMIT = USER_DATA_LIMIT - 2048;

export interface Fitted {
  text: string;
  /** Every compressed file (firstboot's and the user's). */
  compressed: Set<string>;
  /** The user's files that had to be compressed too, largest first. */
  userCompressed: string[];
  /** How firstboot's own files travel. */
  packing: Packing;
  /** Bytes each file adds to the document (its share of the bundle for bundled files). */
  fileBytes: Map<string, number>;
}

type Tail = { runcmd: string[][] } & Record<string, unknown>;

interface Measured {
  plain: WriteFile;
  gz: WriteFile;
  plainBytes: number;
  gzBytes: number;
}

/** Every file's write_files entry, plain and gzipped, with its serialised size: built once. */
function measure(files: readonly ServerFile[]): Map<string, Measured> {
  const plain = files.map((f) => toWriteFile(f));
  const gz = files.map((f) => toWriteFile(f, true));
  const [plainBytes, gzBytes] = [itemsBytes(plain), itemsBytes(gz)];
  return new Map(
    files.map((f, i) => [f.path, { plain: plain[i]!, gz: gz[i]!, plainBytes: plainBytes[i]!, gzBytes: gzBytes[i]! }]),
  );
}

/** A way to pack: which files travel in the bundle, which are gzipped one by one. */
interface Plan {
  bundle: Set<string>;
  /** The bundle's entry, built once with the plan: present exactly when `bundle` is not empty. */
  tar?: WriteFile;
  gz: Set<string>;
  userGz: string[];
}

const isUser = (f: ServerFile) => f.origin === "user";

function build(head: Record<string, unknown>, files: ServerFile[], tail: Tail, sizes: Map<string, Measured>, p: Plan) {
  const entryOf = (f: ServerFile) => (p.gz.has(f.path) ? sizes.get(f.path)!.gz : sizes.get(f.path)!.plain);
  const loose = files.filter((f) => !p.bundle.has(f.path)).map(entryOf);
  const bundle = p.tar;
  const own = files.filter((f) => !isUser(f) && (p.bundle.has(f.path) || p.gz.has(f.path))).length;
  const comment = msg.documentComment({
    packing: bundle ? "bundle" : "gzip",
    own,
    user: p.userGz,
    bundlePath: BUNDLE_PATH,
  });
  const runcmd = bundle ? [...bundleCommands(), ...tail.runcmd] : tail.runcmd;
  const doc = { ...head, write_files: bundle ? [bundle, ...loose] : loose, ...tail, runcmd };
  return { text: serialise(doc, comment), bundle };
}

/** Files (of `pool`) whose gzipped entry is smaller than their plain one. */
function worthGzip(pool: readonly ServerFile[], sizes: Map<string, Measured>): ServerFile[] {
  return pool.filter((f) => sizes.get(f.path)!.gzBytes < sizes.get(f.path)!.plainBytes);
}

/** firstboot's own files compressed, the user's plain: per file or bundled, whichever is smaller. */
function ownPlans(files: ServerFile[], sizes: Map<string, Measured>): Plan[] {
  const own = files.filter((f) => !isUser(f));
  const { bundle: tar, inside, rest } = bundled(own);
  const perFile: Plan = { bundle: new Set(), gz: new Set(worthGzip(own, sizes).map((f) => f.path)), userGz: [] };
  const inTar: Plan = {
    bundle: new Set(inside.map((f) => f.path)),
    tar,
    gz: new Set(worthGzip(rest, sizes).map((f) => f.path)),
    userGz: [],
  };
  return inside.length ? [perFile, inTar] : [perFile];
}

/** The user's files gzipped on top of `plan`, largest first, until the estimate fits `limit`. */
function withUserGzip(plan: Plan, files: ServerFile[], sizes: Map<string, Measured>, over: number): Plan {
  const next: Plan = { bundle: plan.bundle, tar: plan.tar, gz: new Set(plan.gz), userGz: [] };
  const bySize = worthGzip(files.filter(isUser), sizes).sort(
    (a, b) => bytes(b.content) - bytes(a.content) || byCodePoint(a.path, b.path),
  );
  for (const f of bySize) {
    if (over <= 0) break;
    next.gz.add(f.path);
    next.userGz.push(f.path);
    over -= sizes.get(f.path)!.plainBytes - sizes.get(f.path)!.gzBytes;
  }
  return next;
}

/** Every root-owned file in the bundle, the user's too: the last resort before the hard limit. */
function allBundled(files: ServerFile[], sizes: Map<string, Measured>): Plan {
  const { bundle: tar, inside, rest } = bundled(files);
  const gz = worthGzip(rest, sizes);
  const user = [...inside, ...gz].filter(isUser).map((f) => f.path);
  const bundle = new Set(inside.map((f) => f.path));
  return { bundle, ...(inside.length ? { tar } : {}), gz: new Set(gz.map((f) => f.path)), userGz: user };
}

/** Bytes each file adds: its own entry, or its share of the bundle by how well it gzips alone. */
function shares(files: ServerFile[], sizes: Map<string, Measured>, plan: Plan, bundle?: WriteFile) {
  const m = (f: ServerFile) => sizes.get(f.path)!;
  const inTar = files.filter((f) => plan.bundle.has(f.path));
  const share = bundle ? itemBytes(bundle) / (inTar.reduce((n, f) => n + m(f).gzBytes, 0) || 1) : 0;
  return new Map(
    files.map((f) => {
      if (plan.bundle.has(f.path)) return [f.path, Math.round(m(f).gzBytes * share)];
      return [f.path, plan.gz.has(f.path) ? m(f).gzBytes : m(f).plainBytes];
    }),
  );
}

/**
 * Serialise head + write_files + tail, packing files only as the policy above needs. Each plan
 * is sized from per-entry measurements (one gzip and one stringify per file); the whole document
 * is serialised once per plan tried (at most four). `tail.runcmd` gets the unpack commands
 * prepended when a bundle travels.
 */
export function fitDocument(
  head: Record<string, unknown>,
  files: ServerFile[],
  tail: Tail,
  target = PLAIN_TARGET,
  limit = FIT_LIMIT,
): Fitted {
  // A file's entry is never shorter than its content: past the target, no need to serialise.
  const content = files.reduce((n, f) => n + serverBytes(f).length, 0);
  const plain = content > target ? "" : serialise({ ...head, write_files: files.map((f) => toWriteFile(f)), ...tail });
  if (plain && bytes(plain) <= target) {
    const sizes = itemsBytes(files.map((f) => toWriteFile(f)));
    const fileBytes = new Map(files.map((f, i) => [f.path, sizes[i]!]));
    return { text: plain, compressed: new Set(), userCompressed: [], packing: "plain", fileBytes };
  }
  const sizes = measure(files);
  const fit = (plan: Plan): Fitted => {
    const { text, bundle } = build(head, files, tail, sizes, plan);
    const compressed = new Set([...plan.bundle, ...plan.gz]);
    const fileBytes = shares(files, sizes, plan, bundle);
    return { text, compressed, userCompressed: plan.userGz, packing: bundle ? "bundle" : "gzip", fileBytes };
  };
  const smallest = (c: Fitted[]) => c.reduce((a, b) => (bytes(b.text) < bytes(a.text) ? b : a));
  const plans = ownPlans(files, sizes);
  const tried = plans.map(fit);
  const best = smallest(tried);
  if (bytes(best.text) <= limit) return best;
  const bestPlan = plans[tried.indexOf(best)]!;
  const candidates = [best, fit(withUserGzip(bestPlan, files, sizes, bytes(best.text) - limit))];
  if (bytes(candidates[1]!.text) > limit) candidates.push(fit(allBundled(files, sizes)));
  return candidates.find((c) => bytes(c.text) <= limit) ?? smallest(candidates);
}
