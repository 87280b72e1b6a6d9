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
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "NewExpression[callee.name=/^(Error|TypeError|RangeError|Exit)$/] > :matches(Literal, TemplateLiteral)",
          message: "Messages live in src/catalogue/: add an entry there and call it.",
        },
        {
          // HcloudError(step, code, message): the step and the API's code are identifiers.
          selector: "NewExpression[callee.name='HcloudError'] > :matches(Literal, TemplateLiteral):nth-child(3)",
          message: "Messages live in src/catalogue/: add an entry there and call it.",
        },
        {
          selector: "CallExpression[callee.type='Super'] > :matches(Literal, TemplateLiteral)",
          message: "Messages live in src/catalogue/: add an entry there and call it.",
        },
      ],
    },
  },
  { files: ["src/catalogue.ts", "src/catalogue/**/*.ts"], rules: { "no-restricted-syntax": "off" } },
);
