// One error type for everything the Hetzner API refuses, worded `could not <step>: <code>: <message>`
// so the user sees which step failed and Hetzner's own reason.
import { hcloud } from "../catalogue.js";

export class HcloudError extends Error {
  constructor(
    readonly step: string,
    readonly code: string,
    readonly apiMessage: string,
    readonly status?: number,
  ) {
    super(hcloud.apiError(step, code, apiMessage));
    this.name = "HcloudError";
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/** Builds the error from an API error body (or whatever came back instead of one). */
export function fromResponse(step: string, status: number, body: unknown): HcloudError {
  const e = (body as ErrorBody | undefined)?.error;
  const code = typeof e?.code === "string" ? e.code : `http_${status}`;
  const message = typeof e?.message === "string" ? e.message : `unexpected HTTP ${status} response`;
  return new HcloudError(step, code, message, status);
}
