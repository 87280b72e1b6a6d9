// The manifest written next to every archive by firstboot-backup (plain text, one fact a line):
//   firstboot-backup 1 <name> <UTC timestamp>
//   archive <sha256> <size> <name>-<ts>.tar.zst.age
//   member <sha256> <path inside the archive>     (one per regular file, sorted by path)
import { backup } from "../catalogue.js";
export interface Manifest {
  name: string;
  ts: string;
  archive: { sha256: string; size: number; file: string };
  members: Map<string, string>;
}

export const TS = /^\d{8}T\d{6}Z$/;

/** "<name>-<ts>" -> its parts, or undefined when the name is not a backup of `name`. */
export function backupTs(base: string, name: string): string | undefined {
  if (!base.startsWith(`${name}-`)) return undefined;
  const ts = base.slice(name.length + 1);
  return TS.test(ts) ? ts : undefined;
}

export function parseManifest(text: string): Manifest {
  const lines = text.split("\n").filter((l) => l !== "");
  const head = /^firstboot-backup 1 (\S+) (\d{8}T\d{6}Z)$/.exec(lines[0] ?? "");
  const arch = /^archive ([0-9a-f]{64}) (\d+) (\S+)$/.exec(lines[1] ?? "");
  if (!head || !arch) throw new Error(backup.notManifest());
  const members = new Map<string, string>();
  for (const l of lines.slice(2)) {
    const m = /^member ([0-9a-f]{64}) (.+)$/.exec(l);
    if (!m) throw new Error(backup.badManifestLine(l.slice(0, 80)));
    members.set(m[2]!, m[1]!);
  }
  return {
    name: head[1]!,
    ts: head[2]!,
    archive: { sha256: arch[1]!, size: Number(arch[2]), file: arch[3]! },
    members,
  };
}
