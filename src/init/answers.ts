// The answers without a terminal: the flags, else the defaults, each checked by its question's
// rule; every problem is kept so the user sees them all at once, named by the flag to change.
import type { Diagnostic } from "../config/diagnostics.js";
import { flagProblem } from "./flags.js";
import { QUESTIONS, type Draft, type Question } from "./questions.js";

/** The answer a question takes when nobody gives one. */
export const fallbackOf = (q: Question, defaults: Draft, d: Draft): string => defaults[q.key] ?? q.fallback?.(d) ?? "";

/**
 * Every question answered by `given` or the default; `onlyGiven` reports problems of given
 * answers only (on a terminal the rest is asked, and a bad default refused there).
 */
export function evaluate(given: Draft, defaults: Draft, onlyGiven = false): { draft: Draft; problems: Diagnostic[] } {
  const d: Draft = {};
  const problems: Diagnostic[] = [];
  for (const q of QUESTIONS) {
    if (q.when && !q.when({ ...d, ...given })) continue;
    const has = given[q.key] !== undefined;
    d[q.key] = has ? given[q.key]! : fallbackOf(q, defaults, d);
    // A recipient left empty is made by keygen later.
    if (q.key === "recipient" && d[q.key] === "") continue;
    const advice = has || !onlyGiven ? q.rule(d[q.key]!, d) : undefined;
    if (advice) problems.push(flagProblem(q.flag, d[q.key], advice));
  }
  return { draft: d, problems };
}
