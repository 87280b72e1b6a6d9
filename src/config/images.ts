// Facts about the Hetzner base images firstboot targets. Where a feature differs by image
// (package names, cloud-init version), renderers read it from here.
import { internal } from "../catalogue.js";
/** What firstboot knows about a target image (Hetzner image names) and the server's arch. */
export interface ImageInfo {
  /** Hetzner image name, e.g. "ubuntu-24.04", "debian-12". */
  name: string;
  family: "ubuntu" | "debian";
  /** Distribution codename: noble, jammy, bookworm, trixie. */
  codename: string;
  /** cloud-init major version shipped by the image (22 on Debian 12, 24+ elsewhere). */
  cloudInit: number;
  arch: "amd64" | "arm64";
}

type Base = Omit<ImageInfo, "arch">;

export const IMAGES: Record<string, Base> = {
  "ubuntu-24.04": { name: "ubuntu-24.04", family: "ubuntu", codename: "noble", cloudInit: 24 },
  "ubuntu-22.04": { name: "ubuntu-22.04", family: "ubuntu", codename: "jammy", cloudInit: 23 },
  // Debian 12 ships cloud-init 22.4: no `defer` before 21.3 is fine, but schema checks are looser.
  "debian-12": { name: "debian-12", family: "debian", codename: "bookworm", cloudInit: 22 },
  "debian-13": { name: "debian-13", family: "debian", codename: "trixie", cloudInit: 25 },
};

export const IMAGE_NAMES = Object.keys(IMAGES) as [string, ...string[]];

/** Hetzner's Ampere types are cax*; everything else is x86. */
export function archOf(serverType: string): "amd64" | "arm64" {
  return serverType.startsWith("cax") ? "arm64" : "amd64";
}

export function imageInfo(image: string, serverType: string): ImageInfo {
  const base = IMAGES[image];
  if (!base) throw new Error(internal.unknownImage(image));
  return { ...base, arch: archOf(serverType) };
}

export const LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;
