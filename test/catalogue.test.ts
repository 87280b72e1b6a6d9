// Every message of the compose catalogue is shown somewhere: an entry nothing calls is wording no
// user ever reads, and a sign that a rule went missing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compose } from "../src/catalogue.js";
import { ROOT } from "./helpers/render.js";

const SRC = join(ROOT, "src");
const code = readdirSync(SRC, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && !f.startsWith("catalogue"))
  .map((f) => readFileSync(join(SRC, f), "utf8"))
  .join("\n");

describe("the compose catalogue", () => {
  it.each(Object.keys(compose))("%s is used", (key) => {
    expect(code).toMatch(new RegExp(`\\.${key}\\(`));
  });
});
