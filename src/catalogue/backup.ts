// Messages for backups on the workstation (firstboot backup list|pull|verify).
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import { BACKUP_DIR } from "../server-contract.js";

// ---- backup: workstation side (firstboot backup list|pull|verify) ----------------------------

export const backup = {
  missingTool: (tool: string, pkg: string) =>
    `${tool} is not installed: install it (Debian/Ubuntu: apt-get install ${pkg}; macOS: brew install ${pkg}) and run the command again`,
  noSection: () => "the config has no backup section, so there are no backups to look at",
  noTarget: () =>
    `backup.target is not set, so backups stay on the server: copy them from ${BACKUP_DIR} (scp) and pass the file`,
  noIdentity: (file: string) =>
    `${file} holds no age identity (AGE-SECRET-KEY-1...): pass --identity with the key whose public key is in backup.encrypt_to`,
  ageDamaged: () => "damaged: its header or a chunk does not authenticate",
  wrongKey: (file: string, why: string) =>
    `cannot decrypt ${file} (${why}): use the identity whose public key is in backup.encrypt_to`,
  sizeMismatch: (file: string, want: number, got: number) =>
    `${file} is ${got} bytes but its manifest says ${want}: truncated or incomplete; pull it again`,
  hashMismatch: (file: string) => `${file} does not match the sha256 in its manifest: the archive is corrupt`,
  badArchive: (file: string, why: string) => `${file} decrypts but does not unpack: ${why}`,
  memberMismatch: (n: number, sample: string) =>
    `${n} file(s) in the archive differ from the manifest (first: ${sample})`,
  integrity: (file: string, result: string) => `${file} fails PRAGMA integrity_check: ${result}`,
  dumpUnreadable: (file: string, why: string) => `${file} is not a readable pg_dump archive: ${why}`,
  notFound: (what: string) => `no backup ${what} found (see \`firstboot backup list\`)`,
  noManifest: (file: string) =>
    `no manifest next to ${file} (expected ${file.replace(/\.tar\.zst\.age$/, ".manifest")})`,
  verified: (base: string, members: number, sqlite: number, dumps: number) =>
    `${base}: ok (${members} files match the manifest; ${sqlite} SQLite database(s) pass integrity_check; ${dumps} dump(s) readable)`,
  pulled: (base: string, dir: string) => `pulled ${base} into ${dir} (size and sha256 match its manifest)`,
  none: () => "no backups yet",
  notManifest: () => "not a firstboot backup manifest (format 1 or 2)",
  sealedMembers: (file: string, why: string) =>
    `cannot decrypt the member list in ${file} (${why}): use the identity whose public key is in backup.encrypt_to`,
  badManifestLine: (line: string) => `bad manifest line: ${line}`,
};
