import { describe, expect, it } from "vitest";
import { hostnameFor, maybeB64Decode, metaData, seedArgv } from "../../src/vm/seed.js";

describe("maybeB64Decode (cloud-init's Hetzner datasource semantics)", () => {
  const doc = "#cloud-config\nusers: []\n";
  it("decodes strict base64", () => {
    expect(maybeB64Decode(Buffer.from(doc).toString("base64"))).toBe(doc);
  });
  it("leaves plain user-data alone", () => {
    expect(maybeB64Decode(doc)).toBe(doc);
  });
  it("leaves base64 with line breaks alone, like b64decode(validate=True)", () => {
    const wrapped = Buffer.from(doc.repeat(10))
      .toString("base64")
      .replace(/(.{76})/g, "$1\n");
    expect(maybeB64Decode(wrapped)).toBe(wrapped);
  });
  it("leaves text that happens to be alphabet-only but badly padded alone", () => {
    expect(maybeB64Decode("abcde")).toBe("abcde");
  });
});

describe("meta-data", () => {
  it("names the instance and host", () => {
    expect(metaData("firstboot-x-1", "x")).toBe("instance-id: firstboot-x-1\nlocal-hostname: x\n");
  });
  it("turns any name into a valid hostname", () => {
    expect(hostnameFor("My_Stack.v2")).toBe("my-stack-v2");
    expect(hostnameFor("___")).toBe("firstboot");
    expect(hostnameFor("a".repeat(80))).toHaveLength(63);
  });
  it("builds the seed with cloud-localds", () => {
    expect(seedArgv("/s.img", "/u", "/m")).toEqual(["cloud-localds", "/s.img", "/u", "/m"]);
  });
});
