// Cross-field backup rules: a restore needs a backup, its identity and a remote target;
// stopping services only matters while volumes or dirs are archived.
import { describe, expect, it } from "vitest";
import { backupProblems } from "../../src/config/rules-backup.js";
import { backupSchema } from "../../src/config/schema-backup.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const TARGET = { sftp: { host: "u1.your-storagebox.de", user: "u1", key: { secret: "storagebox_key" } } };
const paths = (ps: { path: (string | number)[] }[]) => ps.map((p) => p.path.join("."));

describe("backup rules", () => {
  it("reports restore without identity or target", () => {
    const b = backupSchema.parse({ encrypt_to: [RECIPIENT] });
    expect(paths(backupProblems(b, "latest"))).toEqual(["backup.restore_identity", "backup.target"]);
    expect(backupProblems(undefined, "latest")[0]?.path).toEqual(["restore"]);
    const full = backupSchema.parse({
      encrypt_to: [RECIPIENT],
      target: TARGET,
      restore_identity: { secret: "backup_identity" },
      volumes: ["data"],
      stop: ["app"],
    });
    expect(backupProblems(full, "latest")).toEqual([]);
  });

  it("needs nothing more without a restore", () => {
    expect(backupProblems(undefined, "none")).toEqual([]);
    expect(backupProblems(backupSchema.parse({ encrypt_to: [RECIPIENT] }), "none")).toEqual([]);
  });

  it("flags each stopped service when nothing it could change is archived", () => {
    const b = backupSchema.parse({ encrypt_to: [RECIPIENT], stop: ["app", "worker"] });
    expect(backupProblems(b, "none")).toEqual([
      { path: ["backup", "stop", 0], message: "stopping app only helps while volumes or dirs are archived" },
      { path: ["backup", "stop", 1], message: "stopping worker only helps while volumes or dirs are archived" },
    ]);
  });
});
