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
      // Every line counts, blank lines and comments too.
      "max-lines": ["error", { max: 300 }],
      "max-lines-per-function": ["error", { max: 40 }],
      "no-restricted-syntax": [
        "error",
        // new Error("..."), new Exit(code, `...`), super("...") and HcloudError's message (its step and
        // the API's code are identifiers), also as a branch of `?:` or a part of `+`.
        ...[
          "NewExpression[callee.name=/^(Error|TypeError|RangeError|Exit)$/] > LIT",
          "NewExpression[callee.name=/^(Error|TypeError|RangeError|Exit)$/] > :matches(ConditionalExpression, BinaryExpression) > LIT",
          "NewExpression[callee.name='HcloudError'] > LIT:nth-child(3)",
          "NewExpression[callee.name='HcloudError'] > :matches(ConditionalExpression, BinaryExpression):nth-child(3) > LIT",
          "CallExpression[callee.type='Super'] > LIT",
          "CallExpression[callee.type='Super'] > :matches(ConditionalExpression, BinaryExpression) > LIT",
        ].map((selector) => ({
          selector: selector.replace("LIT", ":matches(Literal[raw=/^[\"']/], TemplateLiteral)"),
          message: "Messages live in src/catalogue/: add an entry there and call it.",
        })),
      ],
    },
  },
  { files: ["src/catalogue.ts", "src/catalogue/**/*.ts"], rules: { "no-restricted-syntax": "off" } },
);
