// firstboot schema: the JSON Schema of firstboot.yaml, for editors (yaml-language-server).
import type { CAC } from "cac";
import { writeOutputs } from "./output.js";

export async function jsonSchema(): Promise<object> {
  const [{ z }, { configSchema }] = await Promise.all([import("zod"), import("../config/schema.js")]);
  return {
    $id: "https://firstboot.dev/firstboot.schema.json",
    ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }),
  };
}

export function register(cli: CAC): void {
  cli
    .command("schema", "Print the JSON Schema of firstboot.yaml for editors")
    .option("-o, --output <file>", "Write to a file instead of stdout")
    .example("firstboot schema -o firstboot.schema.json")
    .action(async (opts: { output?: string }) => {
      const text = JSON.stringify(await jsonSchema(), null, 2) + "\n";
      if (opts.output !== undefined) await writeOutputs("--output", [{ path: opts.output, data: text, mode: 0o644 }]);
      else process.stdout.write(text);
    });
}
