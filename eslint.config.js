// make lint: typescript-eslint's recommended rules plus the house limits (files under 300 lines,
// functions under 40, messages only in the catalogue).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "out/**",
      "node_modules/**",
      "vendor/**",
      "src/hcloud/generated/**",
      "test/golden/**",
      "test/fixtures/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // `cond ? a() : b()` and `x && y()` as statements are house style.
      "@typescript-eslint/no-unused-expressions": ["error", { allowTernary: true, allowShortCircuit: true }],
    },
  },
  {
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 300 }],
      "max-lines-per-function": ["error", { max: 40, skipBlankLines: true, skipComments: true }],
    },
  },
  // Known offenders of the house limits, left from before the limits were checked: each is split
  // in its own change and then leaves this list. Nothing may join it.
  {
    files: [
      "src/catalogue.ts",
      "src/fake-cloud/http.ts",
      "src/fake-cloud/routes-servers.ts",
      "src/render/document.ts",
      "src/vm/qemu-argv.ts",
      "src/vm/vm.ts",
    ],
    rules: { "max-lines": "warn", "max-lines-per-function": "warn" },
  },
);
