// The one duration parser: what the CLI flags and the config's health timeout accept, and the
// config's stricter subset for the health gate.
import { describe, expect, it } from "vitest";
import { HEALTH_TIMEOUT, parseDuration, validatedDurationMs } from "../../src/config/duration.js";
import { healthSchema } from "../../src/config/schema.js";

describe("parseDuration", () => {
  it("reads seconds, minutes, hours, days and a bare 0", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("0s")).toBe(0);
    expect(parseDuration("010m")).toBe(600_000);
  });

  it("refuses anything else instead of guessing", () => {
    for (const bad of ["", "soon", "10", "1.5h", "-1m", "1w", "10 m", " 10m", "10M", "1h30m"])
      expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe("health timeout", () => {
  it("accepts positive seconds, minutes and hours only", () => {
    for (const ok of ["90s", "3m", "1h"]) expect(HEALTH_TIMEOUT.test(ok), ok).toBe(true);
    for (const bad of ["0", "0s", "05m", "1d", "soon"])
      expect(healthSchema.safeParse({ timeout: bad }).success, bad).toBe(false);
  });

  it("everything the schema accepts parses, to the same value as before (seconds on the server)", () => {
    expect(validatedDurationMs("90s") / 1000).toBe(90);
    expect(validatedDurationMs("3m") / 1000).toBe(180);
    expect(validatedDurationMs("2h") / 1000).toBe(7200);
  });

  it("throws on a value the schema should have refused, never falls back to a default", () => {
    expect(() => validatedDurationMs("5 minutes")).toThrow(/not a duration/);
  });
});
