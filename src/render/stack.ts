// The compose stack: files under the stack directory, the .env (0600), the systemd unit that
// starts it on every boot, the registry login, and the health gate used by boot and restore.
import { byCodePoint } from "../compare.js";
import { isUtf8 } from "node:buffer";
import { validatedDurationMs } from "../config/duration.js";
import type { Included } from "../config/rules.js";
import type { Config } from "../config/schema.js";
import { envFile } from "./envfile.js";
import type { BootStep, Part, RenderContext, ServerFile } from "./part.js";
import { compactScript, snippet } from "./template.js";
import { HEALTH_BIN, REGISTRY_PASSWORD, STACK_UNIT, unitPath } from "../server-contract.js";

/** UTF-8 text stays text (readable in the document); other bytes travel base64, unchanged. */
function stackFile(path: string, data: Buffer, mode: string): ServerFile {
  if (isUtf8(data)) return { path, content: data.toString("utf8"), mode, origin: "user" };
  return { path, content: data.toString("base64"), encoding: "b64", mode, origin: "user" };
}

function stackFiles(cfg: Config, ctx: RenderContext, included: Included): ServerFile[] {
  const dir = ctx.stackDir;
  const env = Object.entries(cfg.stack.env).map(([k, v]) => [k, ctx.reveal(v)] as [string, string]);
  const files: ServerFile[] = [
    { path: `${dir}/compose.yaml`, content: included.compose, mode: "0644", origin: "user" },
    // The .env holds secrets: root only.
    { path: `${dir}/.env`, content: envFile(env), mode: "0600", origin: "user" },
    ...Object.entries(included.files)
      .sort(([a], [b]) => byCodePoint(a, b))
      // Env files the compose file names hold secrets like the .env: root only.
      .map(([dest, data]) => stackFile(`${dir}/${dest}`, data, included.private?.includes(dest) ? "0600" : "0644")),
    {
      path: unitPath(STACK_UNIT),
      content: snippet("stack/stack.service.hbs", { name: cfg.name, dir }),
      mode: "0644",
    },
  ];
  const h = cfg.stack.health;
  files.push({
    path: HEALTH_BIN,
    content: compactScript(
      snippet("stack/health.sh.hbs", {
        name: cfg.name,
        url: h.url ?? "",
        services: h.services ?? [],
        seconds: validatedDurationMs(h.timeout) / 1000,
      }),
    ),
    mode: "0755",
  });
  if (cfg.stack.registry)
    files.push({ path: REGISTRY_PASSWORD, content: ctx.reveal(cfg.stack.registry.password), mode: "0600" });
  return files;
}

export function stackPart(cfg: Config, ctx: RenderContext, included: Included): Part {
  const reg = cfg.stack.registry;
  const registry = reg ? { server: reg.server, username: reg.username, passwordFile: REGISTRY_PASSWORD } : false;
  return {
    section: "stack",
    files: stackFiles(cfg, ctx, included),
    steps: [
      { name: "stack_pull", script: snippet("stack/pull.sh.hbs", { dir: ctx.stackDir, name: cfg.name, registry }) },
    ],
  };
}

/** Start the stack and pass the health gate; `hold` only enables it (replace starts it later). */
export function stackStartSteps(hold: boolean): BootStep[] {
  if (hold) return [{ name: "stack_enable", script: `systemctl daemon-reload\nsystemctl enable ${STACK_UNIT}` }];
  return [
    // restart, not `enable --now`: on a clone of a golden disk the unit is already enabled, and
    // with the compose file written early by cloud-init it may have run at boot, before the
    // restore step stopped the stack; a oneshot that ran stays active, so a start would do nothing.
    {
      name: "stack_start",
      script: `systemctl daemon-reload\nsystemctl enable ${STACK_UNIT}\nsystemctl restart ${STACK_UNIT}`,
    },
    { name: "health", script: HEALTH_BIN },
  ];
}
