import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, productPlans, products, reviews, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { callAction, sessionCookie } from "./actions";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { BASE_URL } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

/** A plan that needs a review with a comment, offered on Weather API, and a pending request under it. */
async function reviewedPlanRequest() {
  const tag = randomBytes(3).toString("hex");
  const [plan] = await conn.db
    .insert(plans)
    .values({ name: `Audited ${tag}`, reviewRequired: true, reviewCommentRequired: true })
    .returning();
  const [weather] = await conn.db.select().from(products).where(eq(products.slug, "weather"));
  if (!plan || !weather) throw new Error("seed");
  await conn.db.insert(productPlans).values({ productId: weather.id, planId: plan.id });
  const [user] = await conn.db.insert(users).values({ email: `reviewed-${tag}@example.com`, name: `Rae ${tag}` }).returning();
  if (!user) throw new Error("user");
  await addToCart(conn.db, user.id, { productId: weather.id, planId: plan.id });
  const request = await submitRequest(conn.db, { userId: user.id, baseUrl: BASE_URL }, { newAppName: `Forecasts ${tag}`, reason: "Weather for the app" }, {});
  return { request, email: user.email, tag };
}

test("an approval on a review-required plan lands in the review queue and is marked reviewed with a comment by someone else", async ({ page }) => {
  const { request, email } = await reviewedPlanRequest();
  await signInAs(page, "owner@portico.dev", `/admin/requests?status=all&open=${request.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await panel.getByRole("button", { name: "Approve" }).click();
  await expect(panel).toContainText("Approved", { timeout: 10_000 });

  await page.goto("/admin/reviews");
  const row = page.getByTestId("review-row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  // The comment requirement shows before anything is selected.
  await expect(row.getByTestId("comment-required")).toBeVisible();
  await expect(row).toContainText("owner@portico.dev");
  // The approver never reviews their own decision: no checkbox, and the row says why.
  await expect(row.getByRole("checkbox")).toHaveCount(0);
  await expect(row.getByTestId("why-no-review")).toHaveText("You decided this request: another reviewer marks it reviewed.");

  await signInAs(page, "admin@portico.dev");
  await page.goto("/admin/reviews");
  // Details and timeline open beside the list.
  await row.getByRole("link").click();
  await expect(page.getByRole("region", { name: "Request details" })).toContainText("Weather for the app");

  await row.getByRole("checkbox").check();
  const form = page.getByRole("region", { name: "Mark reviewed" });
  await form.getByRole("button", { name: "Mark reviewed" }).click();
  await expect(form.locator("#review-comment-error")).toContainText("requires a review comment");
  await form.getByLabel(/Comment/).fill("Checked the use case with the weather team.");
  await form.getByRole("button", { name: "Mark reviewed" }).click();
  await expect(page.getByTestId("review-result")).toHaveText("1 marked reviewed.");

  await page.goto("/admin/reviews");
  await expect(page.getByTestId("review-row").filter({ hasText: email })).toHaveCount(0);
  await page.getByRole("link", { name: "Reviewed" }).click();
  const done = page.getByTestId("review-row").filter({ hasText: email });
  await expect(done).toContainText("Reviewed by admin@portico.dev");
  await expect(done).toContainText("“Checked the use case with the weather team.”");
});

test("marking reviewed refuses anonymous, consumers and owners of other products; the page refuses them too", async ({ request, page }) => {
  const { request: target } = await reviewedPlanRequest();
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  await decideRequests(conn.db, { kind: "user", id: owner?.id ?? "", role: "owner", disabled: false }, { requestIds: [target.id], decision: "approve", baseUrl: BASE_URL });
  const [review] = await conn.db.select().from(reviews).where(eq(reviews.requestId, target.id));
  if (!review) throw new Error("no review opened");

  const tag = randomBytes(3).toString("hex");
  const [consumer] = await conn.db.insert(users).values({ email: `nosy-${tag}@example.com` }).returning();
  const [otherOwner] = await conn.db.insert(users).values({ email: `other-owner-${tag}@example.com`, role: "owner" }).returning();
  const identities = {
    anonymous: undefined,
    consumer: await sessionCookie(conn, consumer?.id ?? ""),
    "owner of another product": await sessionCookie(conn, otherOwner?.id ?? ""),
  };
  const count = async () => (await conn.sql`select (select count(*)::int from audit_events) as audit, (select count(*)::int from reviews where reviewed_at is not null) as reviewed`)[0];
  const before = await count();
  for (const [who, cookie] of Object.entries(identities)) {
    const res = await callAction(request, {
      page: "/admin/reviews",
      file: "app/admin/reviews/actions.ts",
      name: "markReviewedAction",
      fields: { reviewIds: review.id, comment: "sneaky" },
      cookie,
    });
    expect(res.status, who).toBeLessThan(500);
    expect(res.text, who).toMatch(/Your session has ended|Your role does not allow|not found/);
  }
  expect(await count()).toEqual(before);
  // Nor the person who made the decision under review.
  const own = await callAction(request, {
    page: "/admin/reviews",
    file: "app/admin/reviews/actions.ts",
    name: "markReviewedAction",
    fields: { reviewIds: review.id, comment: "My own" },
    cookie: await sessionCookie(conn, owner?.id ?? ""),
  });
  expect(own.text).toContain("You decided this request: another reviewer marks it reviewed.");
  expect(await count()).toEqual(before);

  const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  const ok = await callAction(request, {
    page: "/admin/reviews",
    file: "app/admin/reviews/actions.ts",
    name: "markReviewedAction",
    fields: { reviewIds: review.id, comment: "Control" },
    cookie: await sessionCookie(conn, admin?.id ?? ""),
  });
  expect(ok.text).toContain("1 marked reviewed.");

  await page.goto("/admin/reviews");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await signInAs(page, `nosy2-${tag}@example.com`);
  expect((await page.goto("/admin/reviews"))?.status()).toBe(403);
});
