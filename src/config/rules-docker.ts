// Which `docker.source` works on which image. The loader reports it with a position; the
// renderer refuses the same combination, so both read this one rule.
import type { ImageInfo } from "./images.js";

/** Why `source: distro` cannot work on an image, or undefined when it can. */
export function distroProblem(image: ImageInfo): string | undefined {
  if (image.family === "debian" && image.codename === "bookworm") {
    return "Debian 12 has no compose v2 package (only the python docker-compose 1.29): use docker.source: official";
  }
  return undefined;
}
