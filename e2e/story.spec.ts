import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import { expect, test } from "@playwright/test";
import { signInAs, toast } from "./helpers";
import { createPlanInUi, createProductInUi, PARCELS_OPENAPI, publishProductInUi } from "./helpers-products";

// The whole owner story of issue 6, end to end in the browser, ending in the audit log and its CSV.
test("owner publishes a product and a reviewed plan; consumer requests; approval is reviewed; the audit log tells it all and exports it", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const tag = randomBytes(3).toString("hex");
  const planName = `Story ${tag}`;
  const slug = `story-${tag}`;

  await signInAs(page, "owner@portico.dev");
  const planId = await createPlanInUi(page, {
    name: planName,
    fields: [
      { label: "Company name", type: "text" },
      { label: "Environment", type: "select", options: ["Sandbox", "Production"] },
    ],
  });
  await page.goto(`/admin/plans/${planId}`);
  await page.getByLabel("Review required").check();
  await page.getByLabel("Reviewers must leave a comment").check();
  await page.getByRole("button", { name: "Save plan" }).click();
  await expect(page.getByRole("status").first()).toBeVisible();
  await expect(toast(page, "Saved. New requests use these settings")).toBeVisible();
  const productId = await createProductInUi(page, {
    name: `Story ${tag}`,
    slug,
    summary: "Parcels for the story.",
    description: "# Story\nTrack parcels.",
    tags: "logistics",
    openapi: PARCELS_OPENAPI,
    plans: [planName],
  });
  await publishProductInUi(page, productId);

  // The consumer finds it with its API reference and must answer both questions.
  const consumerContext = await browser.newContext();
  const consumer = await consumerContext.newPage();
  const email = `story-${tag}@example.com`;
  await signInAs(consumer, email, `/apis/${slug}`);
  await expect(consumer.getByRole("heading", { name: "API reference" })).toBeVisible();
  await consumer.getByRole("button", { name: `Access with the ${planName} plan` }).click();
  await expect(consumer.getByText("is in your cart")).toBeVisible();
  await consumer.goto("/cart");
  await consumer.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await consumer.getByLabel("Why do you need access?").fill("Parcel tracking for the story.");
  await consumer.getByLabel("Environment").selectOption("Sandbox");
  await consumer.getByRole("button", { name: "Submit request" }).click();
  // Every mistake is named beside its field in one answer — the form's own and the plan's
  // questions (checked against the cart's plan) — and focus goes to the first.
  await expect(consumer.locator("#newAppName-error")).toHaveText("Give your new app a name.");
  await expect(consumer.locator('[id="field.companyName-error"]')).toHaveText("Fill in “Company name”.");
  await expect(consumer.getByLabel("New app name")).toBeFocused();
  await consumer.getByLabel("New app name").fill(`Story app ${tag}`);
  // What was answered is still there, choices included.
  await expect(consumer.getByLabel("Environment")).toHaveValue("Sandbox");
  await expect(consumer.getByLabel("Why do you need access?")).toHaveValue("Parcel tracking for the story.");
  await consumer.getByLabel("Company name").fill("Story Ltd");
  await consumer.getByRole("button", { name: "Submit request" }).click();
  await expect(consumer).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
  const requestId = new URL(consumer.url()).pathname.split("/").at(-1) ?? "";
  await consumerContext.close();

  // The owner approves; the approval waits in the review queue for someone else to review it.
  await page.goto(`/admin/requests?status=all&open=${requestId}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await panel.getByRole("button", { name: "Approve" }).click();
  await expect(panel).toContainText("Approved", { timeout: 10_000 });
  // The audit log is admin-only, so an owner is not offered a link into it.
  await expect(panel.getByRole("link", { name: "Audit timeline" })).toHaveCount(0);
  await page.goto("/admin/reviews");
  const ownView = page.getByTestId("review-row").filter({ hasText: email });
  await expect(ownView.getByTestId("why-no-review")).toHaveText("You decided this request: another reviewer marks it reviewed.");

  // An admin reviews it with a comment, then reads the request's whole story in the audit log and exports it.
  await page.context().clearCookies();
  await signInAs(page, "admin@portico.dev", "/admin/reviews");
  const review = page.getByTestId("review-row").filter({ hasText: email });
  await expect(review.getByTestId("comment-required")).toBeVisible();
  await review.getByRole("checkbox").check();
  await page.getByRole("region", { name: "Mark reviewed" }).getByLabel(/Comment/).fill("Story reviewed.");
  await page.getByRole("region", { name: "Mark reviewed" }).getByRole("button", { name: "Mark reviewed" }).click();
  await expect(page.getByTestId("review-result")).toHaveText("1 marked reviewed.");
  await page.goto(`/admin/requests?status=all&open=${requestId}`);
  // Under load a click while the queue is still hydrating (its panel syncs `open` into the URL) was
  // lost once in a fresh-clone run: the click is retried until the audit page is reached.
  const timeline = page.getByRole("region", { name: "Request details" }).getByRole("link", { name: "Audit timeline" });
  await expect(async () => {
    if (!page.url().includes("/admin/audit")) await timeline.click();
    await expect(page).toHaveURL(`/admin/audit?subjectType=request&subjectId=${requestId}`, { timeout: 5_000 });
  }).toPass({ timeout: 40_000 });
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "request.submitted" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "request.approved" })).toContainText("owner@portico.dev");
  // "From where": the approval came through a server action, which records the caller's address.
  await expect(rows.filter({ hasText: "request.approved" }).locator("td").nth(4)).not.toHaveText("—");
  await expect(rows.filter({ hasText: "request.reviewed" })).toContainText("Story reviewed.");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export this view as CSV" }).click();
  const file = await (await download).path();
  const csv = parse(fs.readFileSync(file, "utf8"), { columns: true }) as Record<string, string>[];
  expect(csv.map((r) => r.action).sort()).toEqual(["request.approved", "request.reviewed", "request.submitted"]);
  expect(csv.every((r) => r.subject_id === requestId)).toBe(true);

  // The product's and plan's timelines, and the free-text search.
  await page.goto(`/admin/products/${productId}`);
  await page.getByRole("link", { name: "Audit timeline" }).click();
  await expect(page).toHaveURL(`/admin/audit?subjectType=product&subjectId=${productId}`);
  await expect(page.getByTestId("audit-row").filter({ hasText: "product.published" })).toContainText("owner@portico.dev");
  await page.goto(`/admin/plans/${planId}`);
  await page.getByRole("link", { name: "Audit timeline" }).click();
  await expect(page).toHaveURL(`/admin/audit?subjectType=plan&subjectId=${planId}`);
  await expect(page.getByTestId("audit-row").filter({ hasText: "plan.created" })).toContainText("owner@portico.dev");
  await page.goto("/admin/audit");
  await page.getByLabel("Search").fill("Story reviewed.");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
});
