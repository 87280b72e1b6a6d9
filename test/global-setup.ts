// Builds the CLI once, before any test file runs. Several files run the built CLI (bin/ ->
// dist/) while others ran in parallel; when each file rebuilt dist/ itself, tsc rewrote modules
// under a running CLI ("does not provide an export named ..."). `make test` has just built it
// and says so with FIRSTBOOT_BUILT=1.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.FIRSTBOOT_BUILT === "1") return;
  execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
}
