// The content sections between the base server and the stack, in boot order. Each builder
// returns nothing when its config key is switched off.
import type { Config } from "../config/schema.js";
import { backupParts } from "./backup.js";
import type { Part, RenderContext } from "./part.js";

export function contentParts(cfg: Config, ctx: RenderContext): Part[] {
  return [...(cfg.backup ? backupParts(cfg.backup, cfg.restore, ctx) : [])];
}
