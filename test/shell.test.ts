import { describe, expect, it } from "vitest";
import { shq } from "../src/shell.js";

describe("shq", () => {
  it("quotes for the remote shell", () => {
    expect(shq("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
  it("quotes anything a template hands it", () => {
    expect(shq(2222)).toBe("'2222'");
    expect(shq("")).toBe("''");
  });
});
