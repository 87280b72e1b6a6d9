// Which images can take Docker from the distribution: not Debian 12 (no compose v2 package).
import { describe, expect, it } from "vitest";
import { IMAGES, imageInfo } from "../../src/config/images.js";
import { distroProblem } from "../../src/config/rules-docker.js";

describe("docker source per image", () => {
  it("refuses distro Docker on Debian 12 only", () => {
    expect(distroProblem(imageInfo("debian-12", "cx23"))).toMatch(/^Debian 12 has no compose v2 package/);
    for (const image of Object.keys(IMAGES).filter((i) => i !== "debian-12"))
      expect(distroProblem(imageInfo(image, "cax21")), image).toBeUndefined();
  });
});
