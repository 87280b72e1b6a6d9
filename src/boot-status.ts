// The first-boot runner's status file (snippets/server/runner.sh.hbs writes it at STATUS_FILE of
// src/server-contract.ts), read by the preview (src/vm) and by the deploy workflows over SSH:
// one path, one type, one parser.

export interface StepStatus {
  name: string;
  status: "ok" | "skipped" | "failed" | string;
  ms: number;
}

export interface BootStatus {
  /** "running" until the runner finishes, then "ok" or "failed". */
  result: "running" | "ok" | "failed" | string;
  steps: StepStatus[];
}

/**
 * The status file as the runner writes it; undefined while absent or partial (it is read while
 * the runner may still be writing, and an SSH read of a missing file prints nothing).
 */
export function parseStatus(json: string): BootStatus | undefined {
  try {
    const j = JSON.parse(json) as { result?: unknown; steps?: unknown } | null;
    if (typeof j?.result !== "string" || !Array.isArray(j.steps)) return undefined;
    const steps = j.steps.filter(
      (s): s is StepStatus => typeof s?.name === "string" && typeof s?.status === "string" && typeof s?.ms === "number",
    );
    return { result: j.result, steps };
  } catch {
    return undefined;
  }
}

/** Names of the steps that failed, in run order. */
export function failedSteps(status: BootStatus): string[] {
  return status.steps.filter((s) => s.status === "failed").map((s) => s.name);
}
