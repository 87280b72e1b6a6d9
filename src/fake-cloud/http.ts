// The node:http front of the fake: auth, rate limit headers and 429s, injected faults, spec
// validation, the error shapes of the real API, then dispatch to the route tables.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkBody, checkQuery, FILLED_BY_API, matchRoute, type Match } from "./spec.js";
import { FakeState, type FakeOptions, type LoggedRequest } from "./state.js";
import { ApiError, type Handler } from "./reply.js";
import { serverRoutes } from "./routes-servers.js";
import { otherRoutes } from "./routes-other.js";
import { networkRoutes } from "./routes-networks.js";
import { loadBalancerRoutes } from "./routes-load-balancers.js";

const ROUTES: Record<string, Handler> = { ...serverRoutes, ...otherRoutes, ...networkRoutes, ...loadBalancerRoutes };

export interface FakeApi {
  state: FakeState;
  /** e.g. http://127.0.0.1:43123/v1, what HCLOUD_ENDPOINT should be. */
  endpoint: string;
  server: Server;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, status === 204 ? headers : { "Content-Type": "application/json", ...headers });
  res.end(status === 204 ? undefined : JSON.stringify(body));
}

function errorBody(e: ApiError): unknown {
  return { error: { code: e.code, message: e.message, details: e.details ?? null } };
}

type Reply = { status: number; body: unknown; headers: Record<string, string> };
type LogEntry = { method: string; path: string; query: string; template?: string; status?: number };
type Answer = { status?: number; body: unknown };

function rateLimitHeaders(state: FakeState): Record<string, string> {
  return {
    "RateLimit-Limit": String(state.rateLimit),
    "RateLimit-Remaining": String(Math.max(0, state.tokens)),
    "RateLimit-Reset": String(state.resetAt()),
  };
}

/** Before routing: with a bad token even an unknown path answers 401, never 404. */
function authorise(state: FakeState, auth: string | undefined, allowed: boolean): void {
  const token = /^Bearer (.+)$/.exec(auth ?? "")?.[1];
  if (!token || (state.opts.token !== undefined && token !== state.opts.token))
    throw new ApiError(401, "unauthorized", "unable to authenticate");
  if (!allowed) throw new ApiError(429, "rate_limit_exceeded", "limit of 3600 requests per hour reached");
}

async function injectedFault(
  state: FakeState,
  key: string,
): Promise<{ error: ApiError; afterApply: boolean } | undefined> {
  const fault = state.takeFault(key);
  if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (!fault?.status) return undefined;
  const code = fault.code ?? (fault.status >= 500 ? "server_error" : "invalid_input");
  return { error: new ApiError(fault.status, code, fault.message ?? "injected fault"), afterApply: !!fault.afterApply };
}

/** The body a route sees, after the checks against the spec that the real API makes first. */
function parseRequest(
  key: string,
  op: NonNullable<Match["op"]>,
  query: URLSearchParams,
  rawBody: string,
): Record<string, unknown> {
  const body = rawBody.trim() === "" ? undefined : parseJson(rawBody);
  const invalid = {
    ...checkQuery(op, query),
    ...(op.requestBody ? checkBody(op, body ?? {}, FILLED_BY_API[key]) : {}),
  };
  if (Object.keys(invalid).length > 0)
    throw new ApiError(400, "invalid_input", "invalid input in fields " + Object.keys(invalid).join(", "), {
      fields: Object.entries(invalid).map(([name, messages]) => ({ name, messages })),
    });
  return (body ?? {}) as Record<string, unknown>;
}

async function dispatch(state: FakeState, entry: LogEntry, url: URL, rawBody: string): Promise<Answer> {
  const match = matchRoute(entry.method, entry.path);
  if (!match?.op) throw new ApiError(404, "not_found", `no route ${entry.method} ${entry.path}`);
  entry.template = match.template;
  const key = `${entry.method} ${match.template}`;
  const fault = await injectedFault(state, key);
  if (fault && !fault.afterApply) throw fault.error;
  const body = parseRequest(key, match.op, url.searchParams, rawBody);
  const handler = ROUTES[key];
  if (!handler) throw new ApiError(501, "not_implemented", `the fake does not implement ${key}`);
  const out = await handler({ state, params: match.params, query: url.searchParams, body });
  if (fault) throw fault.error;
  return out;
}

export async function handle(
  state: FakeState,
  method: string,
  rawUrl: string,
  rawBody: string,
  auth: string | undefined,
): Promise<Reply> {
  const url = new URL(rawUrl, "http://fake");
  const path = url.pathname.replace(/^\/v1(?=\/)/, "");
  const entry: LogEntry = { method, path, query: url.search };
  state.log.push(entry);
  state.tick();
  const allowed = state.takeToken();
  const headers = rateLimitHeaders(state);
  const reply = (status: number, body: unknown) => ((entry.status = status), { status, body, headers });
  try {
    authorise(state, auth, allowed);
    const out = await dispatch(state, entry, url, rawBody);
    return reply(out.status ?? 200, out.body);
  } catch (e) {
    if (e instanceof ApiError) return reply(e.status, errorBody(e));
    return reply(500, { error: { code: "server_error", message: String(e), details: null } });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "json_error", "request body is not valid JSON");
  }
}

export interface ListenOptions {
  port?: number;
  host?: string;
  /** Called after each answered request (a request log). */
  onReply?: (entry: LoggedRequest) => void;
}

export async function startFakeApi(opts: FakeOptions & ListenOptions = {}): Promise<FakeApi> {
  const state = new FakeState(opts);
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const i = state.log.length; // handle() logs this request synchronously, at index i
        const r = await handle(state, req.method ?? "GET", req.url ?? "/", body, req.headers.authorization);
        send(res, r.status, r.body, r.headers);
        if (state.log[i]) opts.onReply?.(state.log[i]);
      })
      .catch((e: unknown) => send(res, 500, { error: { code: "server_error", message: String(e) } }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    server,
    endpoint: `http://${opts.host ?? "127.0.0.1"}:${port}/v1`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive clients must not hold the port open
      });
      await opts.backend?.close();
    },
  };
}

/** An in-process fetch for tests with a virtual clock: same code path, no sockets. */
export function fakeFetch(state: FakeState): (req: Request) => Promise<Response> {
  return async (req) => {
    const r = await handle(state, req.method, req.url, await req.text(), req.headers.get("authorization") ?? undefined);
    return new Response(r.status === 204 ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: r.status === 204 ? r.headers : { "Content-Type": "application/json", ...r.headers },
    });
  };
}
