import AxeBuilder from "@axe-core/playwright";
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
export async function seriousViolations(page: Page) {
  // Sandboxed frames without scripts (the email previews) are left out: axe cannot run inside them,
  // and trying costs a timed-out injection per frame (21 on /admin/settings/emails, minutes per scan).
  // A toast or dialog still fading in has text blended with its background, which axe reports as
  // low contrast (a toast appearing over a just-opened dialog did, in a fresh-clone run). Scan once
  // the finite, time-driven animations and transitions have finished: spinners (infinite) and
  // scroll-driven ones never do. Past 5 s (an animation started again and again), scan as it is.
  await page
    .waitForFunction(
      () =>
        document
          .getAnimations()
          .every((a) => a.playState !== "running" || a.timeline !== document.timeline || a.effect?.getComputedTiming().endTime === Infinity),
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => {});
  // Legacy mode runs axe in the page itself: by default the builder opens a blank page to merge the
  // frames' results, which cost 1.3-1.6 s per scan here (48 scans in a11y.spec alone). What legacy
  // mode gives up is cross-origin frames, and Portico's pages have none (the email previews are
  // same-origin srcdoc frames, left out above).
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .exclude('iframe[sandbox=""]')
    .setLegacyMode(true)
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}
