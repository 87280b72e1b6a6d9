// Bundled in place of zod's locales index (scripts/build.mjs): firstboot's messages are its own
// (src/catalogue/) and zod's defaults are English, so the other 40-odd locales (366 KB, evaluated
// at every start through zod's `locales` namespace) stay out of the CLI.
export { default as en } from "zod/v4/locales/en.js";
