// The config hash a server keeps (CONFIG_HASH_FILE) so `firstboot status` can tell whether the
// local config still renders what the server got. Two lines:
//   config  sha256 of the redacted render: safe to print, misses a changed secret value;
//   secrets sha256 of the render with its secrets: catches a rotated password, but it is an
//           unsalted hash over text that is mostly public (the repo's config, firstboot's own
//           programs), so whoever sees it can confirm a guessed weak secret offline (the reason
//           backup manifests encrypt their member list). It therefore stays where the secrets
//           themselves already are: a 0600 root file next to .env; status reads it over SSH as
//           root, compares it on the workstation and never prints or logs it.
// Both hash the document's content as the config decides it: no host keys (a new pair per
// server), no held start (replace renders one, up does not), and not the hash file itself.
import { createHash } from "node:crypto";
import type { ServerFile } from "./part.js";
import { CONFIG_HASH_FILE } from "../server-contract.js";

export interface ConfigHashes {
  config: string;
  /** Absent for a redacted render (its secrets are unknown). */
  secrets?: string;
}

/** What the hash covers: the cloud-config without host keys, every file, the boot tail. */
export interface HashedContent {
  head: Record<string, unknown>;
  files: ServerFile[];
  tail: Record<string, unknown>;
}

export function sha256(c: HashedContent): string {
  return createHash("sha256")
    .update(JSON.stringify([c.head, c.files, c.tail]))
    .digest("hex");
}

export function configHashFile(h: ConfigHashes, redactedMarker: string): ServerFile {
  return {
    path: CONFIG_HASH_FILE,
    mode: "0600",
    content: `config ${h.config}\nsecrets ${h.secrets ?? redactedMarker}\n`,
  };
}

/** The file's two hashes; a line missing or malformed is undefined. */
export function parseConfigHashFile(text: string): Partial<ConfigHashes> {
  const get = (key: string) => new RegExp(`^${key} ([0-9a-f]{64})$`, "m").exec(text)?.[1];
  return { config: get("config"), secrets: get("secrets") };
}
