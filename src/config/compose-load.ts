// Load the effective compose model: the compose file with its includes, the override file
// compose merges when it sits next to compose.yaml on the server, then every `extends:`.
import { isMap, isScalar } from "yaml";
import { compose as msg } from "../catalogue.js";
import { mergeService, type ServiceDef } from "./compose-merge.js";
import { entries, fileModel, mergeInto, openCompose, OVERRIDE_NAMES, type ComposeModel } from "./compose-model.js";
import { report, valueOf, type ComposeCtx, type ComposeFile, type Located } from "./compose-refs.js";
import { parseSource, type Source } from "./source.js";
import { COMPOSE_TAGS } from "./yaml-hazards.js";
import { yamlProblems } from "./yaml-problems.js";

export function loadComposeModel(ctx: ComposeCtx, main: Source): ComposeModel {
  const model = fileModel(ctx, { src: main, dir: ctx.composeDir, env: ctx.env });
  const over = overrideFile(ctx);
  if (over) mergeInto(model, fileModel(ctx, over));
  for (const name of [...model.services.keys()])
    model.services.set(name, extended(ctx, model, model.services, name, 0));
  return model;
}

/** The override file among stack.files, parsed (it lands next to compose.yaml on the server). */
function overrideFile(ctx: ComposeCtx): ComposeFile | undefined {
  const dest = OVERRIDE_NAMES.find((n) => n in ctx.stackFiles);
  if (!dest) return undefined;
  const { abs, text } = ctx.stackFiles[dest]!;
  const src = parseSource(ctx.shown(abs), text);
  const problems = yamlProblems(src, { path: `stack.files.${dest}`, tags: COMPOSE_TAGS });
  if (problems.length) return void ctx.out.push(...problems);
  return { src, dir: ctx.composeDir, env: ctx.env };
}

interface Target {
  service: string;
  scope: Map<string, ServiceDef>;
}

/** What an `extends:` names: a service of the same file, or of another compose file (read and shipped). */
function extendsTarget(ctx: ComposeCtx, model: ComposeModel, ext: Located, scope: Target["scope"]): Target | undefined {
  if (isScalar(ext.node)) return { service: valueOf(ext)?.text ?? "", scope };
  if (!isMap(ext.node)) return undefined;
  const fields = entries(ext.node, ext.file);
  const service = valueOf(fields.get("service")?.value)?.text ?? "";
  const fileRef = fields.get("file")?.value;
  if (!fileRef) return { service, scope };
  const opened = openCompose(ctx, fileRef, "extends file");
  if (!opened) return undefined;
  const sub = fileModel(ctx, { src: opened.src, dir: opened.dir, env: ext.file.env });
  model.files.push(...sub.files);
  model.read.push({ at: fileRef, dest: opened.dest, text: opened.src.text, private: false }, ...sub.read);
  return { service, scope: sub.services };
}

/** A service with its `extends:` chain merged in, base first (relative paths stay with their file). */
function extended(
  ctx: ComposeCtx,
  model: ComposeModel,
  scope: Target["scope"],
  name: string,
  depth: number,
): ServiceDef {
  const def = scope.get(name)!;
  const ext = def.fields.get("extends");
  if (!ext || depth > 8) return def;
  const own: ServiceDef = { ...def, fields: new Map(def.fields) };
  own.fields.delete("extends");
  const target = extendsTarget(ctx, model, ext, scope);
  if (!target) return own;
  if (!target.scope.has(target.service) || (target.scope === scope && target.service === name)) {
    report(
      ctx,
      ext,
      msg.extendsMissing(
        name,
        target.service,
        [...target.scope.keys()].filter((s) => s !== name),
      ),
    );
    return own;
  }
  const base = extended(ctx, model, target.scope, target.service, depth + 1);
  return { ...mergeService(base, own), name: def.name, key: def.key };
}
