// The typed Hetzner Cloud client: openapi-fetch over the generated types, with the retrying
// fetch, error unwrapping, pagination and batched action waiting. Nothing outside src/hcloud/
// talks to the API.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";
import { realClock, throwIfAborted, type Clock } from "../clock.js";
import { HcloudError, fromResponse } from "./errors.js";
import { DEFAULT_RETRY, retryingFetch, type RetryHooks, type RetryPolicy } from "./retry.js";
import { hcloud } from "../catalogue.js";

export type Schemas = components["schemas"];
export type Action = Schemas["action"];
export type Labels = Record<string, string>;

export interface HcloudOptions extends RetryHooks {
  token: string;
  endpoint: string;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  /** Action polling: first wait, growth factor, cap (ms). */
  poll?: { baseMs: number; factor: number; capMs: number };
  userAgent?: string;
  fetch?: (req: Request) => Promise<Response>;
}

/** Like the hcloud CLI's exponential poll backoff: few requests for long actions, quick for short ones. */
export const DEFAULT_POLL = { baseMs: 1000, factor: 2, capMs: 10_000 };

export function pollDelayMs(i: number, poll = DEFAULT_POLL): number {
  return Math.min(poll.capMs, Math.round(poll.baseMs * poll.factor ** i));
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export class Hcloud {
  readonly api: ReturnType<typeof createClient<paths>>;
  readonly clock: Clock;
  /**
   * Aborts sleeps (retry backoff, action polls) and the SSH commands of stack.connect(); dropped
   * before cleanups so they can finish.
   */
  signal?: AbortSignal;
  requests = 0;
  private readonly poll: { baseMs: number; factor: number; capMs: number };

  constructor(opts: HcloudOptions) {
    this.clock = opts.clock ?? realClock;
    this.signal = opts.signal;
    this.poll = opts.poll ?? DEFAULT_POLL;
    const policy = { ...DEFAULT_RETRY, ...opts.retry };
    const hooks: RetryHooks = {
      ...opts,
      onRequest: (req) => {
        this.requests++;
        opts.onRequest?.(req);
      },
    };
    this.api = createClient<paths>({
      baseUrl: opts.endpoint.replace(/\/+$/, ""),
      headers: { Authorization: `Bearer ${opts.token}`, "User-Agent": opts.userAgent ?? "firstboot" },
      fetch: retryingFetch(this.clock, policy, hooks, () => this.signal, opts.fetch),
    });
  }

  /** Unwraps an openapi-fetch result or throws `could not <step>: <code>: <message>`. */
  async call<T>(step: string, p: Promise<Result<T>>): Promise<T> {
    const r = await p;
    if (r.error !== undefined || !r.response.ok) throw fromResponse(step, r.response.status, r.error);
    return r.data as T;
  }

  /** Follows meta.pagination.next_page until the last page (per_page 50, the API's maximum). */
  async listAll<T>(
    step: string,
    page: (n: number) => Promise<Result<{ meta?: Schemas["meta"] } & Record<string, unknown>>>,
    key: string,
  ): Promise<T[]> {
    const all: T[] = [];
    for (let n: number | null = 1; n !== null;) {
      const data: { meta?: Schemas["meta"] } & Record<string, unknown> = await this.call(step, page(n));
      all.push(...((data[key] as T[] | undefined) ?? []));
      const next: number | null = data.meta?.pagination.next_page ?? null;
      n = next !== null && next > n ? next : null;
    }
    return all;
  }

  /**
   * Waits for actions by polling GET /actions?id=..&id=.. (one request for all running ones) with
   * exponential backoff. Throws the first failed action's error, named after the step.
   */
  async waitForActions(
    step: string,
    actions: readonly (Action | null | undefined)[],
    timeoutMs = 30 * 60_000,
  ): Promise<Action[]> {
    const done = new Map<number, Action>();
    const running = new Set<number>();
    for (const a of actions) if (a) a.status === "running" ? running.add(a.id) : done.set(a.id, a);
    const deadline = this.clock.now() + timeoutMs;
    for (let i = 0; running.size > 0; i++) {
      failIfErrored(step, done);
      if (this.clock.now() > deadline)
        throw new HcloudError(step, "timeout", hcloud.actionsRunning([...running], timeoutMs / 1000));
      await this.clock.sleep(pollDelayMs(i, this.poll), this.signal);
      const ids = [...running].sort((a, b) => a - b);
      const data = await this.call(step, this.api.GET("/actions", { params: { query: { id: ids } } }));
      for (const a of data.actions) if (a.status !== "running" && running.delete(a.id)) done.set(a.id, a);
    }
    failIfErrored(step, done);
    return [...done.values()];
  }

  /** After Ctrl-C the cleanups still need to wait for their actions. */
  detachSignal(): void {
    this.signal = undefined;
  }

  checkAborted(): void {
    throwIfAborted(this.signal);
  }
}

function failIfErrored(step: string, done: Map<number, Action>): void {
  for (const a of done.values()) {
    if (a.status === "error")
      throw new HcloudError(step, a.error?.code ?? "action_failed", a.error?.message ?? `action ${a.command} failed`);
  }
}
