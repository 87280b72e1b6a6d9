// The backup section's schema: defaults, unknown keys, recipients, paths and restore names.
import { describe, expect, it } from "vitest";
import { backupSchema, restoreSchema } from "../../src/config/schema-backup.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

describe("backup schema", () => {
  it("fills defaults and rejects unknown keys, hybrid pq recipients and bad restore names", () => {
    const b = backupSchema.parse({ encrypt_to: [RECIPIENT] });
    expect(b).toMatchObject({
      schedule: "03:00",
      retention: { daily: 7, weekly: 4, monthly: 12 },
      sqlite: [],
      volumes: [],
    });
    expect(backupSchema.safeParse({ encrypt_to: [RECIPIENT], retain: 3 }).success).toBe(false);
    expect(backupSchema.safeParse({ encrypt_to: ["age1pq1" + "q".repeat(60)] }).success).toBe(false);
    expect(backupSchema.safeParse({ encrypt_to: [RECIPIENT], dirs: ["../etc"] }).success).toBe(false);
    expect(
      backupSchema.safeParse({ encrypt_to: [RECIPIENT], sqlite: [{ volume: "data", path: "/etc/x.db" }] }).success,
    ).toBe(false);
    expect(restoreSchema.parse(undefined)).toBe("none");
    expect(restoreSchema.parse("selfmx-20260101T030000Z")).toBe("selfmx-20260101T030000Z");
    expect(restoreSchema.safeParse("yesterday").success).toBe(false);
  });

  it("takes an SFTP host key only when it is a whole OpenSSH key line", () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    const sftp = (host_key: string) => ({
      encrypt_to: [RECIPIENT],
      target: { sftp: { host: "u1.your-storagebox.de", user: "u1", key: "k", host_key } },
    });
    expect(backupSchema.safeParse(sftp(key)).success).toBe(true);
    expect(backupSchema.safeParse(sftp(`${key} storagebox`)).success).toBe(true);
    // Cut short, a host name in front (ssh-keyscan's output as is), or a newline added to it.
    for (const bad of [key.slice(0, -4), `u1.your-storagebox.de ${key}`, `${key}\nevil`])
      expect(backupSchema.safeParse(sftp(bad)).success, bad).toBe(false);
  });
});
