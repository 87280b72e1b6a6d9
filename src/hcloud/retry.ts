// The fetch wrapper every API request goes through: bounded retries with capped exponential
// backoff and jitter on rate limits (honouring RateLimit-Reset), the `conflict` and `locked`
// error codes, and, for requests whose repeat changes nothing (REPEATABLE), on 500/502/503/504
// and lost connections; a warning when the hourly budget runs low. The policy is data so tests
// can assert it without a network.
import type { Clock } from "../clock.js";
import { hcloud } from "../catalogue.js";

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
  /** Warn when RateLimit-Remaining drops below this fraction of RateLimit-Limit. */
  lowFraction: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, capMs: 30_000, lowFraction: 0.05 };

// 409/423 with these codes and 429 mean the API refused the request without applying it: any
// method may be sent again.
const RETRY_CODES = new Set(["conflict", "locked", "rate_limit_exceeded", "timeout"]);

const SERVER_ERRORS = new Set([500, 502, 503, 504]);

/**
 * Requests that may be sent again after a 5xx or a lost connection, when the first one may or may
 * not have been applied. Only those whose repeat leaves the same result are listed. POST
 * /servers, /ssh_keys, /firewalls and create_image are deliberately absent: a repeat creates a
 * second resource (or fails on the name), so their callers instead look the first one up by its
 * run-unique name or labels and adopt it for cleanup (createOrAdopt in resources.ts).
 */
export const REPEATABLE: readonly { method: string; path: RegExp; why: string }[] = [
  { method: "GET", path: /./, why: "a read changes nothing" },
  { method: "PUT", path: /./, why: "an update sets the same name and labels again" },
  {
    method: "DELETE",
    path: /./,
    why: "a repeat of an applied delete answers 404, which the callers treat as deleted (resources.gone)",
  },
  {
    method: "POST",
    path: /\/servers\/\d+\/actions\/(poweron|poweroff|shutdown)$/,
    why: "the server ends in the same power state however often it is asked",
  },
  {
    method: "POST",
    path: /\/floating_ips\/\d+\/actions\/assign$/,
    why: "assigning to the same server again leaves the IP where it is",
  },
];

/** The request's path below the API version, without the query (label selectors, names). */
export function requestPath(req: Request): string {
  return new URL(req.url).pathname.replace(/^.*?\/v1(?=\/)/, "");
}

export function repeatable(method: string, path: string): boolean {
  return REPEATABLE.some((r) => r.method === method && r.path.test(path));
}

/** Capped exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const d = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + (d / 2) * random);
}

/** Why a response deserves another attempt (e.g. "503", "423 locked"), or undefined when it does not. */
export async function retryReason(res: Response, canRepeat = true): Promise<string | undefined> {
  if (res.status === 429) return "429 rate_limit_exceeded";
  if (SERVER_ERRORS.has(res.status)) return canRepeat ? String(res.status) : undefined;
  if (res.status !== 409 && res.status !== 423) return undefined;
  try {
    const body = (await res.clone().json()) as { error?: { code?: string } };
    const code = body.error?.code;
    return code && RETRY_CODES.has(code) ? `${res.status} ${code}` : undefined;
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

/** One retry, as the progress output shows it: no token, no body, no query. */
export interface RetryInfo {
  method: string;
  path: string;
  reason: string;
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
}

export interface RetryHooks {
  onRequest?: (req: Request) => void;
  onWarning?: (message: string) => void;
  onRetry?: (info: RetryInfo) => void;
}

export function retryLine(i: RetryInfo): string {
  return hcloud.retrying(i.method, i.path, i.reason, i.attempt, i.maxAttempts, i.delayMs / 1000);
}

export function rateLimitWarning(res: Response, policy: RetryPolicy): string | undefined {
  const limit = Number(res.headers.get("ratelimit-limit"));
  const remaining = Number(res.headers.get("ratelimit-remaining"));
  if (!res.headers.has("ratelimit-remaining") || !Number.isFinite(limit) || limit <= 0) return undefined;
  if (remaining >= Math.max(1, limit * policy.lowFraction)) return undefined;
  return hcloud.rateLimitLow(remaining, limit);
}

/** What fetch's rejection says about the connection (undici puts ECONNRESET etc. in `cause`). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : err instanceof Error ? err.message : String(err);
  return hcloud.networkError(code);
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
    const path = requestPath(req);
    const canRepeat = repeatable(req.method, path);
    const info = { method: req.method, path, maxAttempts: policy.maxAttempts };
    const again = async (reason: string, attempt: number, delayMs: number): Promise<void> => {
      hooks.onRetry?.({ ...info, reason, attempt: attempt + 1, delayMs });
      await clock.sleep(delayMs, signal());
    };
    for (let attempt = 1; ; attempt++) {
      hooks.onRequest?.(req);
      let res: Response;
      try {
        res = await base(req.clone());
      } catch (err) {
        // Whether the request arrived is unknown: only a repeatable one may be sent again.
        if (!canRepeat || attempt >= policy.maxAttempts || signal()?.aborted) throw err;
        await again(networkReason(err), attempt, backoffMs(attempt, policy, clock.random()));
        continue;
      }
      const warning = rateLimitWarning(res, policy);
      if (warning && !warned) hooks.onWarning?.(warning);
      warned = warning !== undefined;
      const reason = await retryReason(res, canRepeat);
      if (!reason || attempt >= policy.maxAttempts) return res;
      await again(reason, attempt, delayFor(res, attempt, policy, clock));
    }
  };
}
