// "Did you mean": close typos get the known name, unrelated words get none.
import { describe, expect, it } from "vitest";
import { editDistance, nearest } from "../../src/config/nearest.js";

const TOP = [
  "$schema",
  "version",
  "name",
  "server",
  "admin",
  "hardening",
  "docker",
  "stack",
  "backup",
  "restore",
  "secrets",
];

describe("nearest", () => {
  it("counts insertions, deletions, substitutions and swaps of neighbours once each", () => {
    expect(editDistance("hardning", "hardening")).toBe(1);
    expect(editDistance("sevrer", "server")).toBe(1);
    expect(editDistance("stack", "stack")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("suggests the known name a typo is close to, ignoring case", () => {
    expect(nearest("hardning", TOP)).toBe("hardening");
    expect(nearest("Backups", TOP)).toBe("backup");
    expect(nearest("sevrer", TOP)).toBe("server");
    expect(nearest("secret", TOP)).toBe("secrets");
    expect(nearest("db_pasword", ["db_password", "api_token"])).toBe("db_password");
  });

  it("suggests nothing for a word that is no typo of a known name", () => {
    expect(nearest("services", TOP)).toBeUndefined();
    expect(nearest("networks", ["compose", "files", "env", "registry", "health"])).toBeUndefined();
    expect(nearest("x", ["yz"])).toBeUndefined();
  });
});
