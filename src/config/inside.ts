// The one guard for every local file firstboot ships: it must lie inside the config's folder,
// by name and by where it really is (a link inside the folder may point at ~/.ssh/id_ed25519 or
// /etc/shadow: where the file really is decides, not how it is named).
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative } from "node:path";

export type Found = { kind: "file" | "dir"; real: string };
export type Refused = "outside" | "link" | "missing" | "special";

/** Whether `inside` (relative) stays within its root: no `..`, not absolute. */
export function staysInside(inside: string): boolean {
  return !isAbsolute(inside) && inside !== ".." && !inside.startsWith("../");
}

/** What is at `abs`, provided it is inside `root` by name and by real path. */
export function lookInside(root: string, abs: string): Found | Refused {
  if (!staysInside(relative(root, abs))) return "outside";
  try {
    const st = statSync(abs);
    const real = realpathSync(abs);
    if (!staysInside(relative(realpathSync(root), real))) return "link";
    if (st.isFile()) return { kind: "file", real };
    return st.isDirectory() ? { kind: "dir", real } : "special";
  } catch {
    return "missing";
  }
}
