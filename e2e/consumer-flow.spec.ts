import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, products } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { applyTransition } from "../lib/requests/state-machine";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb, userIdByEmail } from "./db";
import { signInAs, toast } from "./helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

async function addPlan(page: Page, slug: string, plan: string) {
  await page.goto(`/apis/${slug}`);
  await page.getByRole("button", { name: `Access with the ${plan} plan` }).click();
}

test("a consumer fills a cart, submits, follows, cancels, removes and resubmits requests", async ({ page }) => {
  const email = `buyer-${randomBytes(4).toString("hex")}@example.com`;
  await signInAs(page, email);

  await addPlan(page, "payments", "Standard");
  await expect(page.getByText("Payments API (Standard) is in your cart.")).toBeVisible();
  await addPlan(page, "invoices", "Standard");
  await expect(page.getByText("Invoices API (Standard) is in your cart.")).toBeVisible();
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  // Another authentication method cannot join this cart, and the reason says why.
  await addPlan(page, "identity", "Standard");
  await expect(
    page.getByRole("alert").filter({ hasText: "Identity API uses OAuth 2.0, but the products in your cart use API keys" }),
  ).toBeVisible();
  // Another plan cannot either.
  await addPlan(page, "weather", "Free");
  await expect(page.getByRole("alert").filter({ hasText: "Your cart uses the Standard plan" })).toBeVisible();

  await page.getByTestId("cart-link").click();
  const items = page.getByRole("list", { name: "Cart items" }).getByRole("listitem");
  await expect(items).toHaveCount(2);

  // Submitting without a reason or app name is refused beside the fields.
  await page.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page.locator("#reason-error")).toHaveText("Tell the API owners why you need access.");

  await expect(page.locator("#newAppName-error")).toHaveText("Give your new app a name.");
  await expect(page.getByRole("alert").filter({ hasText: "Check the highlighted fields." })).toBeVisible();
  // Each error goes as its field is answered, and the summary with the last one.
  await page.getByLabel("New app name").fill("Checkout service");
  await expect(page.locator("#newAppName-error")).toHaveCount(0);
  await expect(page.getByLabel("New app name")).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#reason-error")).toBeVisible();
  await page.getByLabel("Why do you need access?").fill("Moving checkout to your platform.");
  await expect(page.locator("#reason-error")).toHaveCount(0);
  await expect(page.getByRole("alert").filter({ hasText: "Check the highlighted fields." })).toHaveCount(0);
  await page.getByLabel("Describe your use case (optional)").fill("Card payments and invoices for our shop.");
  await page.getByRole("button", { name: "Submit request" }).click();

  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
  await expect(page.getByTestId("request-status")).toHaveText("Pending");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Invoices API, Payments API");
  await expect(page.getByTestId("timeline-event")).toHaveCount(1);
  await expect(page.getByTestId("timeline-event").first()).toContainText("Submitted");
  await expect(page.getByTestId("cart-count")).toHaveCount(0);

  await page.getByRole("link", { name: "My requests" }).first().click();
  const rows = page.getByTestId("request-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Pending");
  await expect(rows.first()).toContainText("Checkout service");
  await rows.first().getByRole("link").click();

  // Cancelling asks first: "Keep it" (focused) changes nothing.
  await page.getByRole("button", { name: "Cancel request" }).click();
  await expect(page.getByRole("button", { name: "Keep it" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("request-status")).toHaveText("Pending");
  await expect(page.getByRole("button", { name: "Cancel request" })).toBeFocused();
  await page.getByRole("button", { name: "Cancel request" }).click();
  await page.getByRole("button", { name: "Yes, cancel it" }).click();
  await expect(page.getByTestId("request-status")).toHaveText("Cancelled");
  // The confirm buttons went with the form: focus is on the page's heading, not the body.
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  // Said by a toast, though the form that sent it is gone from the cancelled request's page.
  await expect(toast(page, "Request cancelled.")).toBeVisible();
  await expect(page.getByTestId("timeline-event")).toHaveCount(2);
  await expect(page.getByTestId("timeline-event").nth(1)).toContainText("Cancelled");

  await page.getByRole("button", { name: "Remove from list" }).click();
  await expect(page).toHaveURL(/\/requests\?removed=1/);
  await expect(page.getByText("No requests yet")).toBeVisible();

  // A denied request, set up through lib/ as an owner's decision would.
  const userId = await userIdByEmail(conn.db, email);
  const [weather] = await conn.db.select().from(products).where(eq(products.slug, "routing"));
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!weather || !standard) throw new Error("seed data missing");
  await addToCart(conn.db, userId, { productId: weather.id, planId: standard.id });
  const denied = await submitRequest(conn.db, { userId, baseUrl: "http://localhost" }, { newAppName: "Fleet", reason: "Trucks" }, {});
  const ownerId = await userIdByEmail(conn.db, "owner@portico.dev");
  await conn.db.transaction((tx) =>
    applyTransition(tx, { requestId: denied.id, transition: "deny", actorId: ownerId, comment: "Which fleet size?" }),
  );

  await page.goto(`/requests/${denied.id}`);
  await expect(page.getByTestId("request-status")).toHaveText("Denied");
  await expect(page.getByText("“Which fleet size?”")).toBeVisible();
  await page.getByRole("button", { name: "Resubmit" }).click();
  // The new request's page (its ?resubmitted=1 leaves the address once shown).
  await expect(page).not.toHaveURL(new RegExp(denied.id));
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?resubmitted=1)?$/);
  await expect(page.getByTestId("request-status")).toHaveText("Pending");
  await expect(page.getByText("Resubmission of")).toBeVisible();
  // The arrival note says what happened, once: its flag then leaves the address.
  await expect(page.getByText("Request submitted. The API owners have been notified")).toBeVisible();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await page.goto("/requests");
  await expect(page.getByTestId("request-row")).toHaveCount(2);
});

test("a cart filled while signed out survives signing in", async ({ page }) => {
  await addPlan(page, "geocoding", "Free");
  await expect(page.getByText("Sign in to submit it.")).toBeVisible();
  await page.goto("/cart");
  await expect(page.getByRole("link", { name: "Sign in to continue" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Cart items" }).getByRole("listitem")).toHaveCount(1);

  await signInAs(page, `later-${randomBytes(4).toString("hex")}@example.com`);
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.goto("/cart");
  await expect(page.getByRole("list", { name: "Cart items" }).getByRole("listitem")).toContainText("Geocoding API");
  await page.getByRole("button", { name: "Remove Geocoding API from the cart" }).click();
  await expect(page.getByText("Your cart is empty")).toBeVisible();
});

test("another consumer's request or app is a 404", async ({ page }) => {
  const ownerEmail = `a-${randomBytes(4).toString("hex")}@example.com`;
  await signInAs(page, ownerEmail);
  const userId = await userIdByEmail(conn.db, ownerEmail);
  const [p] = await conn.db.select().from(products).where(eq(products.slug, "fx-rates"));
  const [free] = await conn.db.select().from(plans).where(eq(plans.name, "Free"));
  if (!p || !free) throw new Error("seed data missing");
  await addToCart(conn.db, userId, { productId: p.id, planId: free.id });
  const req = await submitRequest(conn.db, { userId, baseUrl: "http://localhost" }, { newAppName: "Private", reason: "Mine" }, {});

  await page.context().clearCookies();
  await signInAs(page, `b-${randomBytes(4).toString("hex")}@example.com`);
  expect((await page.goto(`/requests/${req.id}`))?.status()).toBe(404);
  expect((await page.goto(`/apps/${req.appId}`))?.status()).toBe(404);
  expect((await page.goto(`/requests/not-a-uuid`))?.status()).toBe(404);
});
