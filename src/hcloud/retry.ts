// The fetch wrapper every API request goes through: bounded retries with capped exponential
// backoff and jitter on rate limits (honouring RateLimit-Reset), 502/504 and the `conflict` and
// `locked` error codes; a warning when the hourly budget runs low. The policy is data so tests
// can assert it without a network.
import type { Clock } from "../clock.js";

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  /** Warn when RateLimit-Remaining drops below this fraction of RateLimit-Limit. */
  lowFraction: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, capMs: 30_000, lowFraction: 0.05 };

const RETRY_CODES = new Set(["conflict", "locked", "rate_limit_exceeded", "timeout"]);

/** Capped exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const d = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + (d / 2) * random);
}

/** Why a response deserves another attempt, or undefined when it does not. */
export async function retryReason(res: Response): Promise<string | undefined> {
  if (res.status === 429) return "rate_limit_exceeded";
  if (res.status === 502 || res.status === 504) return `http_${res.status}`;
  if (res.status !== 409 && res.status !== 423) return undefined;
  try {
    const body = (await res.clone().json()) as { error?: { code?: string } };
    const code = body.error?.code;
    return code && RETRY_CODES.has(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Delay before the next attempt; a 429 waits for at least one refilled request, never past the reset. */
export function delayFor(res: Response, attempt: number, policy: RetryPolicy, clock: Clock): number {
  const backoff = backoffMs(attempt, policy, clock.random());
  if (res.status !== 429) return backoff;
  const reset = Number(res.headers.get("ratelimit-reset"));
  if (!Number.isFinite(reset) || reset <= 0) return backoff;
  const untilReset = reset * 1000 - clock.now();
  return Math.max(1000, Math.min(backoff, untilReset));
}

export interface RetryHooks {
  onRequest?: (req: Request) => void;
  onWarning?: (message: string) => void;
  onRetry?: (reason: string, attempt: number, delayMs: number) => void;
}

export function rateLimitWarning(res: Response, policy: RetryPolicy): string | undefined {
  const limit = Number(res.headers.get("ratelimit-limit"));
  const remaining = Number(res.headers.get("ratelimit-remaining"));
  if (!res.headers.has("ratelimit-remaining") || !Number.isFinite(limit) || limit <= 0) return undefined;
  if (remaining >= Math.max(1, limit * policy.lowFraction)) return undefined;
  return `Hetzner API rate limit running low: ${remaining} of ${limit} requests left this hour`;
}

export function retryingFetch(
  clock: Clock,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
  signal: () => AbortSignal | undefined = () => undefined,
  base: (req: Request) => Promise<Response> = (r) => fetch(r),
): (req: Request) => Promise<Response> {
  let warned = false;
  return async (req) => {
    for (let attempt = 1; ; attempt++) {
      hooks.onRequest?.(req);
      let res: Response;
      try {
        res = await base(req.clone());
      } catch (err) {
        // Only reads are safe to repeat when we do not know whether the request arrived.
        if (req.method !== "GET" || attempt >= policy.maxAttempts) throw err;
        await clock.sleep(backoffMs(attempt, policy, clock.random()), signal());
        continue;
      }
      const warning = rateLimitWarning(res, policy);
      if (warning && !warned) hooks.onWarning?.(warning);
      warned = warning !== undefined;
      const reason = await retryReason(res);
      if (!reason || attempt >= policy.maxAttempts) return res;
      const delay = delayFor(res, attempt, policy, clock);
      hooks.onRetry?.(reason, attempt, delay);
      await clock.sleep(delay, signal());
    }
  };
}
