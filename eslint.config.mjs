import js from "@eslint/js";
import tseslint from "typescript-eslint";
import drizzle from "eslint-plugin-drizzle";
import reactHooks from "eslint-plugin-react-hooks";

const BARRELS = [
  { name: "@react-email/components", message: 'Import each component from its own package: { Text } from "@react-email/text".' },
  { name: "date-fns", message: 'Import each function from its own path: { addDays } from "date-fns/addDays".' },
];

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", ".data/**", "drizzle/**", "next-env.d.ts", "playwright-report/**", "test-results/**", "dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { drizzle },
    rules: {
      // A forgotten WHERE on update/delete is the classic data-loss bug; make it a build failure.
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // React code only (Playwright fixtures also call a function named `use`).
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "emails/**/*.tsx", "lib/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      // A hook called inside a callback (an action passed to useActionState, say) fails only at run time.
      "react-hooks/rules-of-hooks": "error",
    },
  },
  {
    // Barrels that load every export: react-email's took 0.6 s and date-fns's 0.2 s in each process
    // that imported them (every test file, worker and script that can send an email).
    files: ["**/*.{ts,tsx,mjs}"],
    rules: { "no-restricted-imports": ["error", { paths: BARRELS }] },
  },
  {
    // Portico's Link prefetches on intent; next/link's own prefetches every link in view, and each
    // prefetch of a dynamic page is a server render.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.{ts,tsx}"],
    ignores: ["components/ui/link.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "next/link", message: 'Use { Link } from "@/components/ui/link" (prefetch on intent, not on sight).' }, ...BARRELS] },
      ],
    },
  },
  {
    // One text box and one choice list for the whole portal: the primitives carry the look, the error
    // state (aria-invalid), the focus ring and the dark scheme; a raw element drifts from them.
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    ignores: ["components/ui/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "JSXOpeningElement[name.name='textarea']",
          message: 'Use { Textarea } from "@/components/ui/textarea" (one look, error state and focus ring).',
        },
        {
          selector: "JSXOpeningElement[name.name='select']",
          message: 'Use { Select } from "@/components/ui/select" (one look, error state and focus ring).',
        },
      ],
    },
  },
);
