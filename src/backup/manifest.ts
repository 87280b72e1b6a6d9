// The manifest written next to every archive by firstboot-backup (plain text, one fact a line):
//   firstboot-backup 2 <name> <UTC timestamp>
//   archive <sha256> <size> <name>-<ts>.tar.zst.age
//   -----BEGIN AGE ENCRYPTED FILE----- ... -----END AGE ENCRYPTED FILE-----
// The armored block is the member list ("member <sha256> <path>", one per regular file, sorted
// by path) encrypted to the archive's recipients: in plain text an unsalted hash of a small file
// such as the .env lets anyone who reads the storage confirm a guessed secret. Format 1 (older
// backups) has the member lines in plain text instead of the block.
import { backup } from "../catalogue.js";
export interface Manifest {
  name: string;
  ts: string;
  archive: { sha256: string; size: number; file: string };
  /** Format 1: the member hashes by path, as written. */
  members?: Map<string, string>;
  /** Format 2: the armored age file holding the member lines (openMembers decrypts it). */
  sealedMembers?: string;
}

export const TS = /^\d{8}T\d{6}Z$/;
/** What follows "<name>-" in an archive name: the UTC timestamp, then the generation of the server
 * that made it (a random id; absent in names from before generations). */
const KEY = /^(\d{8}T\d{6}Z)(?:-([0-9a-f]{8}))?$/;
const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const END = "-----END AGE ENCRYPTED FILE-----";

export interface BackupName {
  ts: string;
  /** Undefined for a name from before generations (legacy). */
  generation?: string;
}

/** "<name>-<ts>[-<generation>]" -> its parts, or undefined when the name is not a backup of `name`. */
export function parseBackupName(base: string, name: string): BackupName | undefined {
  if (!base.startsWith(`${name}-`)) return undefined;
  const m = KEY.exec(base.slice(name.length + 1));
  return m ? { ts: m[1]!, ...(m[2] ? { generation: m[2] } : {}) } : undefined;
}

export function backupTs(base: string, name: string): string | undefined {
  return parseBackupName(base, name)?.ts;
}

/** The generations in a `<name>.live` marker, the live one first (the server's firstboot-backup promote writes it). */
export function parseLineage(text: string): string[] {
  return text.split("\n").filter((l) => /^[0-9a-f]{8}$/.test(l));
}

/**
 * The backup `latest` means, as on the server: the newest of the live generation, else of the one
 * live before it; without a marker (empty lineage) the newest of all. Another generation's backup
 * (a replacement candidate's, a preview's) is never taken unless named.
 */
export function latestOf(bases: readonly string[], name: string, lineage: readonly string[]): string | undefined {
  const newest = [...bases]
    .filter((b) => parseBackupName(b, name))
    .sort()
    .reverse();
  if (lineage.length === 0) return newest[0];
  for (const g of lineage) {
    const hit = newest.find((b) => parseBackupName(b, name)?.generation === g);
    if (hit) return hit;
  }
  return undefined;
}

/** "member <sha256> <path>" lines -> hash by path. */
export function parseMembers(lines: readonly string[]): Map<string, string> {
  const members = new Map<string, string>();
  for (const l of lines.filter((x) => x !== "")) {
    const m = /^member ([0-9a-f]{64}) (.+)$/.exec(l);
    if (!m) throw new Error(backup.badManifestLine(l.slice(0, 80)));
    members.set(m[2]!, m[1]!);
  }
  return members;
}

export function parseManifest(text: string): Manifest {
  const lines = text.split("\n").filter((l) => l !== "");
  const head = /^firstboot-backup ([12]) (\S+) (\d{8}T\d{6}Z)$/.exec(lines[0] ?? "");
  const arch = /^archive ([0-9a-f]{64}) (\d+) (\S+)$/.exec(lines[1] ?? "");
  if (!head || !arch) throw new Error(backup.notManifest());
  const rest = lines.slice(2);
  const m: Manifest = {
    name: head[2]!,
    ts: head[3]!,
    archive: { sha256: arch[1]!, size: Number(arch[2]), file: arch[3]! },
  };
  if (head[1] === "1") return { ...m, members: parseMembers(rest) };
  if (rest[0] !== BEGIN || rest.at(-1) !== END || rest.indexOf(END) !== rest.length - 1)
    throw new Error(backup.badManifestLine((rest[0] ?? "").slice(0, 80)));
  return { ...m, sealedMembers: rest.join("\n") + "\n" };
}
