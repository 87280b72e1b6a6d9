// Ajv over the vendored OpenAPI spec for the shape tests: response and request body validators by
// path template, method and status (OpenAPI's `nullable` rewritten into JSON Schema).
import { Ajv, type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";

const spec = JSON.parse(readFileSync("vendor/hetzner/hcloud-openapi.json", "utf8")) as {
  components: { schemas: Record<string, { required?: string[] }> };
};

function fixNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixNullable);
  if (!node || typeof node !== "object") return node;
  const o = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fixNullable(v)])) as Record<string, unknown>;
  if (o.nullable === true && o.type === undefined) {
    delete o.nullable;
    return { anyOf: [o, { type: "null" }] };
  }
  return o;
}

// Hetzner removed `datacenter` from servers after 2026-07-01; the February 2026 spec still requires it.
spec.components.schemas.server!.required = spec.components.schemas.server!.required!.filter((f) => f !== "datacenter");
export const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(fixNullable(spec) as object, "spec");

const pointer = (template: string) => template.replace(/~/g, "~0").replace(/\//g, "~1");

function compiled(ref: string): ValidateFunction {
  return ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
}

export function responseValidator(template: string, method: string, status: number): ValidateFunction {
  return compiled(`spec#/paths/${pointer(template)}/${method}/responses/${status}/content/application~1json/schema`);
}

export function requestValidator(template: string, method: string): ValidateFunction {
  return compiled(`spec#/paths/${pointer(template)}/${method}/requestBody/content/application~1json/schema`);
}
