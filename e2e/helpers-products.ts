import axe from "axe-core";
import { expect, type Page } from "@playwright/test";

/** An OpenAPI 3 document as an owner would paste it (YAML). */
export const PARCELS_OPENAPI = `openapi: 3.0.3
info:
  title: Parcels API
  version: "1.0"
paths:
  /parcels/{id}:
    get:
      summary: Track a parcel
      operationId: trackParcel
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: Where the parcel is now
`;

export type PlanField = { label: string; type: "text" | "textarea" | "select"; options?: string[]; required?: boolean };

/** Creates a plan through /admin/plans/new; returns its id. Auto-approve stays off unless asked. */
export async function createPlanInUi(page: Page, plan: { name: string; autoApprove?: boolean; fields: PlanField[] }) {
  await page.goto("/admin/plans/new");
  await page.getByLabel("Name", { exact: true }).fill(plan.name);
  if (plan.autoApprove) await page.getByLabel("Approve automatically").check();
  for (const [i, field] of plan.fields.entries()) {
    await page.getByRole("button", { name: "Add a field" }).click();
    const n = i + 1;
    await page.getByLabel(`Field ${n} label`).fill(field.label);
    const typeLabel = { text: "Short text", textarea: "Long text", select: "List of options" }[field.type];
    await page.getByLabel(`Field ${n} type`).selectOption({ label: typeLabel });
    if (field.options) await page.getByLabel(`Field ${n} options`).fill(field.options.join("\n"));
    if (field.required === false) await page.getByLabel(`Field ${n} is required`).uncheck();
  }
  await page.getByRole("button", { name: "Create plan" }).click();
  await expect(page).toHaveURL(/\/admin\/plans\/[0-9a-f-]{36}\?created=1/);
  return new URL(page.url()).pathname.split("/").at(-1) ?? "";
}

/**
 * Replaces the product form's OpenAPI document with `text`, as a person would: in the code editor
 * once it has loaded (it takes the plain box's place and label), selecting all with the keyboard,
 * then typing. `fill` on the editor sometimes appended to the old text instead (a fresh-clone run
 * sent both documents), so the form's own field is read back before going on.
 */
export async function fillOpenApi(page: Page, text: string) {
  await expect(page.getByTestId("openapi-editor")).toBeVisible();
  await page.getByLabel("OpenAPI document (JSON or YAML)").click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
  await expect(page.locator('input[type="hidden"][name="openapi"]')).toHaveValue(text);
  // Highlighted: CodeMirror wraps the document's tokens (keys, strings, numbers) in spans with a class
  // (not counting the bracket-matching span beside the cursor).
  await expect(page.getByTestId("openapi-editor").locator(".cm-line span[class]:not(.cm-matchingBracket):not(.cm-nonmatchingBracket)").first()).toBeVisible();
}

/** Creates a draft product through /admin/products/new offering the named plans; returns its id. */
export async function createProductInUi(
  page: Page,
  product: { name: string; slug: string; summary: string; description: string; tags: string; openapi?: string; plans: string[] },
) {
  await page.goto("/admin/products/new");
  await page.getByLabel("Name", { exact: true }).fill(product.name);
  await page.getByLabel("Slug").fill(product.slug);
  await page.getByLabel("Summary").fill(product.summary);
  await page.getByLabel("Description (Markdown)").fill(product.description);
  await page.getByLabel("Tags").fill(product.tags);
  for (const plan of product.plans) await page.getByRole("checkbox", { name: new RegExp(`^${plan}\\b`) }).check();
  if (product.openapi) await fillOpenApi(page, product.openapi);
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page).toHaveURL(/\/admin\/products\/[0-9a-f-]{36}\?created=1/);
  return new URL(page.url()).pathname.split("/").at(-1) ?? "";
}

/** On a product's admin page: publish it and wait until it says so. */
export async function publishProductInUi(page: Page, productId: string) {
  await page.goto(`/admin/products/${productId}`);
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status").filter({ hasText: "is in the catalogue" })).toBeVisible();
  await expect(page.locator('[data-status="published"]').first()).toBeVisible();
}

/** Serious or critical WCAG 2.x A/AA violations on the page as it is now (as e2e/a11y.spec.ts checks). */
/**
 * An operation of the page's API reference, once shown. Scalar renders operations as they near the
 * viewport, and a product page's reference sits below its plans: it is scrolled to first, as a
 * reader would.
 */
export async function referenceOperation(page: Page, name: string) {
  const reference = page.getByTestId("api-reference");
  await reference.scrollIntoViewIfNeeded();
  const operation = reference.getByText(name).first();
  await expect(operation).toBeVisible({ timeout: 30_000 });
  return operation;
}

/**
 * axe's serious and critical violations on the page as it is, in light and in dark (issue 18: "0
 * serious or critical violations on every page in both themes"). The other theme is put on as the
 * header's switcher does it (<html data-theme>, no reload, so a one-time screen or a dialog stays
 * open) and taken off again; its findings are marked "(dark)" or "(light)". Inside inBothThemes,
 * which already goes through both, only the current theme is scanned.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (themedByCaller.has(page)) return violationsNow(page);
  const { first, shown } = await page.evaluate(() => {
    const set = document.documentElement.dataset.theme;
    // "system" (or none) follows the browser's colour scheme.
    const dark = set === "dark" || (set !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
    return { first: set, shown: dark ? "dark" : "light" };
  });
  const other = shown === "dark" ? "light" : "dark";
  const here = await violationsNow(page);
  await putTheme(page, other);
  try {
    const there = await violationsNow(page);
    return [...here, ...there.map((v) => `(${other}) ${v}`)];
  } finally {
    await putTheme(page, first);
  }
}

/** Pages whose caller goes through both themes itself (inBothThemes). */
export const themedByCaller = new WeakSet<Page>();

async function putTheme(page: Page, theme: string | undefined) {
  await page.evaluate((t) => {
    if (t) document.documentElement.dataset.theme = t;
    else delete document.documentElement.dataset.theme;
  }, theme);
  // Components that follow the theme (useResolvedTheme) re-render on the attribute's change.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

async function violationsNow(page: Page) {
  // A toast or dialog still fading in has text blended with its background, which axe reports as
  // low contrast (a toast appearing over a just-opened dialog did, in a fresh-clone run). Scan once
  // the finite, time-driven animations and transitions have finished: spinners (infinite) and
  // scroll-driven ones never do. And once the page has its title: a client-side navigation (a queue
  // row opening its panel) puts the new page's <title> in a moment after its content. Past 5 s (an
  // animation started again and again, or a page with no title), scan as it is.
  await page
    .waitForFunction(
      () =>
        document.title !== "" &&
        document
          .getAnimations()
          .every((a) => a.playState !== "running" || a.timeline !== document.timeline || a.effect?.getComputedTiming().endTime === Infinity),
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => {});
  // axe-core itself, run in the page. @axe-core/playwright injected it into every frame first, each
  // time: Portico's only frames are the email previews, sandboxed without scripts, where axe cannot
  // run (so they are left out), and injecting into them cost 5 s of a 5.7 s scan of
  // /admin/settings/emails (21 previews). Its default mode also opened a blank page per scan.
  const { frames, loaded } = await page.evaluate(() => ({ frames: document.querySelectorAll('iframe:not([sandbox=""])').length, loaded: "axe" in window }));
  if (frames > 0) throw new Error(`${frames} frame(s) that may run scripts: scan them too (axe's iframes option) before this check can pass`);
  if (!loaded) await page.evaluate(axe.source);
  // Only the violations come back (the passes are most of a result, and unread).
  const violations: axe.Result[] = await page.evaluate(
    async ({ exclude, tags }) => {
      const inPage = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<Pick<axe.AxeResults, "violations">> } }).axe;
      return (await inPage.run({ exclude: [exclude] }, { runOnly: { type: "tag", values: tags }, iframes: false })).violations;
    },
    { exclude: 'iframe[sandbox=""]', tags: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  );
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}
