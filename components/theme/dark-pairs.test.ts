import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every page works in light and dark. A text colour picked for a white page (text-zinc-500,
 * text-indigo-600, text-red-600, …) is too dark to read on the dark page (zinc-950/900), so a
 * class string that sets one must also say what it is in dark (`dark:text-…`). The e2e axe checks
 * (e2e/a11y.spec.ts) see the pages they visit; this sees every class string in app/ and components/.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const DIRS = ["app", "components"];

// A mid-to-dark text shade: 500 and darker of any colour (zinc-400 and lighter read fine on dark).
const LIGHT_ONLY = /(?<![\w:/[-])text-(?:zinc|gray|slate|neutral|stone|red|orange|amber|yellow|lime|green|emerald|teal|cyan|sky|blue|indigo|violet|purple|fuchsia|pink|rose)-(?:500|600|700|800|900|950)(?![\w/-])/g;

/** Strings that stay light in both themes on purpose (a light surface in dark too), with why. */
const ALLOWED: { file: string; contains: string; why: string }[] = [
  { file: "app/admin/branding/branding-form.tsx", contains: "text-zinc-", why: "the brand preview is a light card in both themes (bg-white)" },
  { file: "app/admin/products/openapi-editor.tsx", contains: "text-zinc-900", why: "the editor keeps a light surface in dark (dark:bg-zinc-50)" },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Class strings: double-quoted or template literals on one line (JSX text may hold apostrophes). */
function lightOnlyClasses(file: string, source: string) {
  const found: string[] = [];
  source.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(/"([^"]*)"|`([^`]*)`/g)) {
      const str = m[1] ?? m[2] ?? "";
      if (/(?:^|\s)dark:text-/.test(str)) continue;
      for (const [cls] of str.matchAll(LIGHT_ONLY)) {
        if (ALLOWED.some((a) => a.file === file && cls.startsWith(a.contains))) continue;
        found.push(`${file}:${i + 1} ${cls}`);
      }
    }
  });
  return found;
}

describe("dark theme pairs", () => {
  it("every mid-to-dark text colour class in app/ and components/ has a dark: text colour beside it", () => {
    const files = DIRS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => lightOnlyClasses(f, readFileSync(path.join(ROOT, f), "utf8")));
    expect(found).toEqual([]);
  });

  it("sees a light-only text colour, and accepts it once paired", () => {
    expect(lightOnlyClasses("x.tsx", `<p className="mb-4 text-sm text-zinc-500">`)).toEqual(["x.tsx:1 text-zinc-500"]);
    expect(lightOnlyClasses("x.tsx", "<a className={`text-indigo-600 ${x}`}>")).toEqual(["x.tsx:1 text-indigo-600"]);
    expect(lightOnlyClasses("x.tsx", `<p className="text-sm text-zinc-500 dark:text-zinc-400">`)).toEqual([]);
    expect(lightOnlyClasses("x.tsx", `<p className="hover:text-zinc-900 text-zinc-400">`)).toEqual([]);
  });
});
