#!/usr/bin/env node
// Checks rendered user-data against the upstream cloud-init JSON schema (draft-04, vendored in
// vendor/cloud-init/, stricter than Debian 12's `cloud-init schema`: unknown keys are errors),
// and also with the real `cloud-init schema --config-file` when cloud-init is installed.
// Usage: node scripts/check-user-data.mjs FILE...   (exit 1 on any problem)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";
import { parse } from "yaml";

const vendor = join(dirname(fileURLToPath(import.meta.url)), "..", "vendor", "cloud-init");
let validate;

/** Problems the upstream JSON schema finds in a cloud-config text ([] when valid). */
export function jsonSchemaProblems(text) {
  if (!text.startsWith("#cloud-config\n")) return ["the document does not start with #cloud-config"];
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat("uri", (s) => URL.canParse(s));
    ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat("hostname", /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/);
    ajv.addSchema(
      JSON.parse(readFileSync(join(vendor, "schema-cloud-config-v1.json"), "utf8")),
      "https://raw.githubusercontent.com/canonical/cloud-init/main/cloudinit/config/schemas/schema-cloud-config-v1.json",
    );
    validate = ajv.compile(JSON.parse(readFileSync(join(vendor, "versions.schema.cloud-config.json"), "utf8")));
  }
  return validate(parse(text))
    ? []
    : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Output of the real cloud-init schema check; throws with its output when it fails. */
export function cloudInitSchema(file) {
  return execFileSync("cloud-init", ["schema", "--config-file", file], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function hasCloudInit() {
  try {
    execFileSync("sh", ["-c", "command -v cloud-init"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const problems = jsonSchemaProblems(readFileSync(file, "utf8"));
    for (const p of problems) console.error(`${file}: upstream schema: ${p}`);
    if (problems.length) failed = true;
    else console.log(`${file}: valid against the upstream cloud-init JSON schema`);
    if (!hasCloudInit()) {
      console.log(
        `${file}: cloud-init not installed here; run ./scripts/install-deps.sh for the real \`cloud-init schema\` check`,
      );
      continue;
    }
    try {
      console.log(`${file}: cloud-init schema: ${cloudInitSchema(file).trim()}`);
    } catch (err) {
      console.error(`${file}: cloud-init schema failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
