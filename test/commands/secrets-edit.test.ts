// Where `secrets edit` tells each editor to put the cursor, and the real vim agreeing that
// `+LINE` opens the file at that line (the other editors are not installed here; their
// conventions are from their manuals: nano +LINE,COLUMN, emacs +LINE:COLUMN, code --goto).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editorArgs } from "../../src/commands/secrets-edit.js";
import { tmp } from "../helpers/render.js";

describe("editorArgs", () => {
  it.each([
    ["vim", ["+3", "f.json"]],
    ["/usr/bin/nvim", ["+3", "f.json"]],
    ["vi", ["+3", "f.json"]],
    ["nano", ["+3,7", "f.json"]],
    ["emacs -nw", ["+3:7", "f.json"]],
    ["emacsclient -t", ["+3:7", "f.json"]],
    ["code --wait", ["--goto", "f.json:3:7"]],
    ["gedit", ["f.json"]],
    ["my-editor", ["f.json"]],
  ])("%s", (editor, args) => {
    expect(editorArgs(editor, "f.json", { line: 3, col: 7 })).toEqual(args);
  });

  it("without a position every editor just opens the file", () => {
    expect(editorArgs("vim", "f.json")).toEqual(["f.json"]);
  });

  it("the real vim opens at the line given as +LINE", () => {
    const dir = tmp();
    const file = join(dir, "f.json");
    const out = join(dir, "line");
    writeFileSync(file, "{\n  a\n  b\n  c\n}\n");
    const [plus, name] = editorArgs("vim", file, { line: 4, col: 3 });
    execFileSync("vim", [
      "-es",
      "-u",
      "NONE",
      "-i",
      "NONE",
      "-n",
      plus!,
      "-c",
      `call writefile([line('.')], '${out}')`,
      "-c",
      "qa!",
      name!,
    ]);
    expect(readFileSync(out, "utf8").trim()).toBe("4");
  });
});
