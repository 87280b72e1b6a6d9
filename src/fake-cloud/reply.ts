// Shared handler types and helpers for the fake: errors in the API's shape, pagination with
// meta.pagination, label selector and name filters, lookups that 404 like the API.
import type { FakeState } from "./state.js";
import { invalidLabels, parseSelector } from "./labels.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** invalid_input for one field, in the API's error details shape. */
export function invalidField(name: string, message: string): ApiError {
  return new ApiError(400, "invalid_input", `invalid input in field '${name}'`, {
    fields: [{ name, messages: [message] }],
  });
}

export interface Ctx {
  state: FakeState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export type Handler = (ctx: Ctx) => { status?: number; body: unknown } | Promise<{ status?: number; body: unknown }>;

export function paginate<T>(ctx: Ctx, key: string, items: T[]): { body: unknown } {
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1));
  const perPage = Math.min(50, Math.max(1, Number(ctx.query.get("per_page") ?? 25)));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const pagination = {
    page,
    per_page: perPage,
    previous_page: page > 1 ? page - 1 : null,
    next_page: page < last ? page + 1 : null,
    last_page: last,
    total_entries: items.length,
  };
  return { body: { [key]: structuredClone(items.slice((page - 1) * perPage, page * perPage)), meta: { pagination } } };
}

/** Applies the name and label_selector filters every list endpoint shares. */
export function filter<T extends { name?: string | null; labels?: Record<string, string> }>(
  ctx: Ctx,
  items: Iterable<T>,
): T[] {
  let out = [...items];
  const name = ctx.query.get("name");
  if (name !== null) out = out.filter((i) => i.name === name);
  const sel = ctx.query.get("label_selector");
  if (sel !== null) {
    const pred = parseSelector(sel);
    if (!pred) throw new ApiError(400, "invalid_input", `invalid label_selector: ${sel}`);
    out = out.filter((i) => pred(i.labels ?? {}));
  }
  return out;
}

export function find<T>(map: Map<number, T>, kind: string, raw: string | undefined): T {
  const id = Number(raw);
  const item = Number.isInteger(id) ? map.get(id) : undefined;
  if (!item) throw new ApiError(404, "not_found", `${kind} with ID '${raw}' not found`);
  return item;
}

export function labelsOf(body: Record<string, unknown>): Record<string, string> {
  return (body.labels as Record<string, string> | undefined) ?? {};
}

/** A body's labels as the API checks them on create and update: 400 invalid_input naming the bad ones. */
export function checkLabels(body: Record<string, unknown>): void {
  const bad = invalidLabels(labelsOf(body));
  if (bad.length) throw new ApiError(400, "invalid_input", `invalid label keys or values: ${bad.join(", ")}`);
}
