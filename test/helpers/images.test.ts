import { describe, expect, it } from "vitest";
import { configArgv, parseLdd, postgresConfig, pushArgv } from "./test-image-plan.js";
import { registryConfig, registryStartArgv, registryPaths } from "./registry.js";
import { parse } from "yaml";

describe("test images", () => {
  it("parses ldd output into library paths, loader included, vdso excluded", () => {
    const out =
      "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x7f)\n\t/lib64/ld-linux-x86-64.so.2 (0x7f)\n";
    expect(parseLdd(out)).toEqual(["/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"]);
  });
  it("configures images with buildah's vfs storage", () => {
    const argv = configArgv("ctr", postgresConfig("15"));
    expect(argv.slice(0, 4)).toEqual(["buildah", "--storage-driver", "vfs", "config"]);
    expect(argv).toContain("PATH=/usr/lib/postgresql/15/bin:/bin");
    expect(argv.at(-1)).toBe("ctr");
  });
  it("pushes over plain HTTP to the loopback registry", () => {
    expect(pushArgv("fb-app:1", "127.0.0.1:5000")).toEqual([
      "buildah",
      "--storage-driver",
      "vfs",
      "push",
      "--tls-verify=false",
      "fb-app:1",
      "docker://127.0.0.1:5000/fb-app:1",
    ]);
  });
});

describe("registry", () => {
  it("listens on loopback only, never on all interfaces", () => {
    const c = parse(registryConfig("/c/registry/data"));
    expect(c.http.addr).toBe("127.0.0.1:5000");
    expect(c.storage.filesystem.rootdirectory).toBe("/c/registry/data");
  });
  it("is started detached with a pidfile so it is stopped by PID", () => {
    const argv = registryStartArgv(registryPaths("/c"));
    expect(argv).toEqual(
      expect.arrayContaining(["--background", "--make-pidfile", "--pidfile", "/c/registry/registry.pid"]),
    );
    expect(argv.slice(-4)).toEqual(["/usr/bin/docker-registry", "--", "serve", "/c/registry/config.yml"]);
  });
});
