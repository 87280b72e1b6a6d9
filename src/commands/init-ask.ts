// init's questions on a terminal: each answer is checked as it is given, by the rule validate
// applies to it; a refused answer shows validate's words and the question comes again.
import { cli as cliMsg, init as msg, initQuestions, type Advice } from "../catalogue.js";
import { fallbackOf } from "../init/answers.js";
import { QUESTIONS, type Draft } from "../init/questions.js";
import { checked, fromSource, type Resolved, type SecretNeed } from "../init/secrets.js";
import { ask, readKeys } from "./prompt.js";

/** Ask until `rule` takes the answer (Enter takes the default shown in brackets). */
export async function askChecked(
  question: string,
  fallback: string,
  rule: (v: string) => Advice | undefined,
): Promise<string> {
  for (;;) {
    const value = await ask(`${question}:`, fallback);
    const advice = rule(value);
    if (!advice) return value;
    process.stderr.write(msg.refused(value, advice) + "\n");
  }
}

/** The questions the flags left open, asked in order; flags already passed their rules. */
export async function askRest(given: Draft, defaults: Draft): Promise<Draft> {
  const d: Draft = {};
  for (const q of QUESTIONS) {
    if (q.when && !q.when({ ...d, ...given })) continue;
    if (given[q.key] !== undefined) d[q.key] = given[q.key]!;
    else if (!q.flagOnly) {
      const fallback = fallbackOf(q, defaults, d);
      if (q.key === "recipient" && fallback === "") continue;
      d[q.key] = await askChecked(initQuestions[q.key] ?? q.key, fallback, (v) => q.rule(v, d));
    }
  }
  return d;
}

/** One secret's source asked on the terminal; `type` reads the value hidden (never echoed). */
export async function askSecret(need: SecretNeed, env: NodeJS.ProcessEnv): Promise<Resolved> {
  for (;;) {
    const answer = await ask(`${msg.secretQuestion(need.name, need.generate)}:`, need.generate ? "generate" : "");
    const r = await sourceAnswer(need, answer, env);
    if (!("problem" in r)) return r;
    process.stderr.write(msg.refusedSecret(r.problem) + "\n");
  }
}

async function sourceAnswer(need: SecretNeed, answer: string, env: NodeJS.ProcessEnv): Promise<Resolved> {
  if (answer === "type") {
    const value = await readKeys(cliMsg.secretPrompt(need.name), true);
    return value ? checked(need, value) : { problem: msg.secretEmpty(need.name) };
  }
  if (/^(generate|env:.+|file:.+)$/.test(answer)) return fromSource(need, answer, env);
  return { problem: msg.secretAnswer(answer) };
}
