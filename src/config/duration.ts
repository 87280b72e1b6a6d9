// Durations as users write them: a whole number and a unit, or a bare 0. The config's health
// timeout and the CLI's --min-age and --rollback-window all go through parseDuration, so "10m"
// means the same everywhere and nothing falls back to a default behind the user's back.
import { internal } from "../catalogue.js";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "10m", "24h", "7d", "0" -> ms; undefined when malformed (the caller reports it). */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const m = /^(\d+)([smhd])$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/**
 * The health timeout the config accepts: positive, in seconds, minutes or hours (a subset of
 * parseDuration's syntax; a gate of 0 would fail every boot). A pattern rather than a refine so
 * `firstboot schema` hands it to editors.
 */
export const HEALTH_TIMEOUT = /^[1-9][0-9]*(s|m|h)$/;

/** ms of a duration the schema already accepted; throws, never guesses, if one slipped through. */
export function validatedDurationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(internal.notDuration(String(text)));
  return ms;
}
