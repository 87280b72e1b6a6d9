// The content sections between the base server and the stack, in boot order. Each builder
// returns nothing when its config key is switched off.
import type { Config } from "../config/schema.js";
import { backupParts } from "./backup.js";
import { dockerParts } from "./docker.js";
import { floatingIpParts } from "./floating-ip.js";
import { hardeningParts } from "./hardening.js";
import type { Part, RenderContext } from "./part.js";

export function contentParts(cfg: Config, ctx: RenderContext): Part[] {
  return [
    ...dockerParts(cfg.docker, ctx),
    ...hardeningParts(cfg.hardening, ctx),
    ...floatingIpParts(cfg.server.floating_ip, ctx),
    ...(cfg.backup ? backupParts(cfg.backup, cfg.restore, ctx) : []),
  ];
}
