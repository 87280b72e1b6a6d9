// Load + render in one call: what `render`, `preview`, `up` and `build-image` all need.
import { rules as ruleMsg } from "./catalogue.js";
import { formatDiagnostics, type Diagnostic } from "./config/diagnostics.js";
import { loadConfig, type Loaded } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { USER_DATA_LIMIT } from "./render/document.js";
import { BudgetError, render, type RenderOptions, type Rendered, type Section } from "./render/index.js";

export interface CompileOptions {
  redact?: boolean;
  env?: NodeJS.ProcessEnv;
  render?: RenderOptions;
}

export type CompileResult =
  ({ ok: true; config: Config; loaded: Loaded } & Rendered) | { ok: false; diagnostics: Diagnostic[]; text: string };

export function sectionTable(sections: readonly Section[], total: number): string {
  const rows = [...sections]
    .sort((a, b) => b.bytes - a.bytes)
    .map((s) => `  ${s.name.padEnd(14)} ${String(s.bytes).padStart(6)} B`);
  return [...rows, `  ${"total".padEnd(14)} ${String(total).padStart(6)} B of ${USER_DATA_LIMIT}`].join("\n");
}

export async function compile(configPath: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const redact = opts.redact ?? opts.render?.redact ?? false;
  const res = await loadConfig(configPath, { env: opts.env, skipSecrets: redact });
  if (!res.ok) return { ok: false, diagnostics: res.diagnostics, text: formatDiagnostics(res.diagnostics) };
  try {
    const out = render(res.loaded, { ...opts.render, redact });
    return { ok: true, config: res.loaded.config, loaded: res.loaded, ...out };
  } catch (err) {
    if (!(err instanceof BudgetError)) throw err;
    const advice = ruleMsg.tooBig(
      err.rendered.bytes,
      USER_DATA_LIMIT,
      sectionTable(err.rendered.sections, err.rendered.bytes),
    );
    const d: Diagnostic = { path: "", file: configPath, line: 0, col: 0, ...advice };
    return { ok: false, diagnostics: [d], text: formatDiagnostics([d]) };
  }
}
