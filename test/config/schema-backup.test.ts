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
});
