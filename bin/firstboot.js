#!/usr/bin/env node
// Entry point: runs the bundled CLI (npm run build writes dist/).
import module from "node:module";

// Node >= 22.1 caches compiled modules on disk: a cold start then skips most parsing.
module.enableCompileCache?.();
const { main } = await import("../dist/cli.js");
process.exitCode = await main(process.argv);
