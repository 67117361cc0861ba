import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequests, apps, plans, productPlans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { claimKey } from "../lib/keys/claim-key";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { boxOf, readsLeftToRight, signInAs } from "./helpers";
import { BASE_URL, approvedRequest, claimLinkFor, claimTokenOf, createOAuthClient, planOnItsOwnProduct, rememberSecret } from "./keys-helpers";

// An adversarial review of b83aa1c..dbd6962 (TypedList through EmailText, the consumer's request page
// and the check-key sentence isolating typed names). Each test says whether it is about the change or
// about a place the change left as it was.
const conn = e2eDb();
const tag = () => randomBytes(4).toString("hex");

// Long unbroken names widen other pages too (the catalogue, the API access key form: the last tests
// here): each test's long names are shortened after it, so the specs after this one see none.
const afterThis: (() => Promise<unknown>)[] = [];
test.afterEach(async () => {
  for (const undo of afterThis.splice(0)) await undo();
});
test.afterAll(() => conn.sql.end());
const shortenProduct = (id: string, t: string) => afterThis.push(() => conn.db.update(products).set({ name: `Shortened ${t}` }).where(eq(products.id, id)));
const shortenApp = (id: string, t: string) => afterThis.push(() => conn.db.update(apps).set({ name: `Shortened ${t}` }).where(eq(apps.id, id)));

/** A published product of a new owner offering the Standard plan (or `planId`). */
async function product(t: string, name: string, planId?: string) {
  const [owner] = await conn.db.insert(users).values({ email: `adv-owner-${tag()}-${t}@example.com`, name: `Owner ${t}`, role: "owner" }).returning();
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!owner || !standard) throw new Error("seed");
  const [p] = await conn.db.insert(products).values({ slug: `adv-${tag()}-${t}`, name, ownerId: owner.id, status: "published" }).returning();
  if (!p) throw new Error("product");
  await conn.db.insert(productPlans).values({ productId: p.id, planId: planId ?? standard.id });
  return { ...p, planId: planId ?? standard.id };
}

/** A new consumer with a pending request for these products (of one plan), for an app of `appName`. */
async function requestFor(_page: Page, t: string, items: { id: string; planId: string }[], appName = `App ${t}`) {
  const email = `adv-${tag()}-${t}@example.com`;
  const [person] = await conn.db.insert(users).values({ email, name: `Adv ${t}` }).returning();
  if (!person) throw new Error("seed");
  for (const p of items) await addToCart(conn.db, person.id, { productId: p.id, planId: p.planId });
  const request = await submitRequest(conn.db, { userId: person.id, baseUrl: BASE_URL }, { newAppName: appName, reason: "Bidi review" }, {});
  return { email, request, person };
}

const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

// NEW IN THIS CHANGE. The h1 has wrap-anywhere so that an 80-character product name without a space
// cannot set its width. TypedList now draws each name as an EmailText, whose <bdi> carries
// break-words (overflow-wrap: break-word): that overrides the inherited "anywhere" on the name's text,
// and break-word, unlike anywhere, does not lower the min-content width. The header's left column is
// a flex item (sm:flex-row) without min-w-0, so at a desktop width it grows to the whole name.
test("request page heading: an 80-character product name without a space does not widen the page on a desktop", async ({ page }) => {
  const t = tag();
  const p = await product(t, `${t}${"W".repeat(72)}`);
  shortenProduct(p.id, t);
  const { email, request } = await requestFor(page, t, [p]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, email, `/requests/${request.id}`);
  const h1 = page.getByRole("heading", { level: 1 });
  await expect(h1).toContainText(t);
  const box = await h1.boundingBox();
  const overflow = await pageOverflow(page);
  // The cause, shown: the same page with the names' <bdi>s inheriting the h1's overflow-wrap again.
  const inherited = await h1.evaluate((el) => {
    for (const bdi of el.querySelectorAll("bdi")) (bdi as HTMLElement).style.overflowWrap = "inherit";
    return document.documentElement.scrollWidth - document.documentElement.clientWidth;
  });
  await h1.evaluate((el) => {
    for (const bdi of el.querySelectorAll("bdi")) (bdi as HTMLElement).style.overflowWrap = "";
  });
  console.log(`desktop: page overflow ${overflow}px (${inherited}px with the <bdi>s inheriting wrap-anywhere), h1 ${JSON.stringify(box)}`);
  expect(overflow, "the page scrolls sideways by").toBeLessThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 0), "the heading's right edge").toBeLessThanOrEqual(1280);
});

// Older than the change: the line under the heading, "<plan> plan for <app>", has no overflow-wrap of
// its own, so an 80-character app name without a space (the most an app's name may hold) set the
// header's width the same way.
test("request page: an 80-character app name without a space does not widen the page on a desktop", async ({ page }) => {
  const t = tag();
  const p = await product(t, `Long app ${t}`);
  const { email, request } = await requestFor(page, t, [p], `${t}${"W".repeat(72)}`);
  shortenApp(request.appId, t);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, email, `/requests/${request.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Long app ${t}`);
  const overflow = await pageOverflow(page);
  console.log(`desktop, long app name: page overflow ${overflow}px`);
  expect(overflow, "the page scrolls sideways by").toBeLessThanOrEqual(0);
});

test("request page heading: the same name on a phone stays inside the page", async ({ page }) => {
  const t = tag();
  const p = await product(t, `${t}${"W".repeat(72)}`);
  shortenProduct(p.id, t);
  const { email, request } = await requestFor(page, t, [p]);
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, email, `/requests/${request.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(t);
  expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
});

// The change: products in the h1 are each an EmailText. A product named like an address gets a
// <wbr> before its "@" and, past 24 characters a side, a wrap-anywhere <span>; an override in one
// name must not reverse the other; and the heading must copy, and be named, as written.
test("request page heading: an address-like name and an override copy, are named and read as written", async ({ page }) => {
  const t = tag();
  const at = await product(t, `ops@${"edge".repeat(7)}${t}`);
  shortenProduct(at.id, t);
  const rlo = await product(t, `Rlo \u202E${t}`, at.planId);
  const plain = await product(t, `Plain ${t} API`, at.planId);
  const { email, request } = await requestFor(page, t, [at, rlo, plain]);
  await signInAs(page, email, `/requests/${request.id}`);
  const h1 = page.getByRole("heading", { level: 1 });
  await expect(h1).toContainText(`Plain ${t} API`);
  const text = (await h1.textContent()) ?? "";
  const names = text.split(", ");
  expect(names.sort()).toEqual([at.name, rlo.name, plain.name].sort());
  await expect(h1).toHaveAccessibleName(text);
  const copied = await h1.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    return sel?.toString();
  });
  expect(copied, "the heading copies as written").toBe(text);
  const dom = await h1.evaluate((el) => ({ bdi: el.querySelectorAll("bdi").length, wbr: el.querySelectorAll("wbr").length, html: el.innerHTML }));
  console.log(`h1: ${JSON.stringify(dom)}`);
  expect(dom.bdi, "each product its own <bdi>").toBe(3);
  // EmailText makes each word of a name its own text node: words, not the whole name, are checked.
  expect(await readsLeftToRight(h1, "Plain"), "the plain name is not drawn backwards").toBe(true);
  expect(await readsLeftToRight(h1, "edgeedge"), "the address-like name is not drawn backwards").toBe(true);
});

// The change: the check-key sentence takes JSX with the app's name in a <bdi>. A hostile app name.
test("app page's check-key sentence: markup and an override in the app's name stay text and reverse nothing", async ({ page }) => {
  const t = tag();
  const p = await product(t, `Check ${t}`);
  const appName = `<img src=x onerror="window.__pwned=1"> \u202E${t}`;
  const { email, request } = await requestFor(page, t, [p], appName);
  await signInAs(page, email, `/apps/${request.appId}`);
  const sentence = page.getByRole("region", { name: "Check a key" }).locator("p").first();
  await expect(sentence).toContainText("current key");
  await expect(sentence).toContainText('<img src=x onerror="window.__pwned=1">');
  // Single words: the sentence wraps, and a phrase across a line break reads "backwards" by position.
  expect(await readsLeftToRight(sentence, "current"), `"current" is not drawn backwards`).toBe(true);
  expect(await readsLeftToRight(sentence, "stored"), `"stored" is not drawn backwards`).toBe(true);
  await expect(sentence.locator("img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

// 5be5001: the app page's quota links, "<products> · <plan>", hold each product (TypedList) and the
// plan in a <bdi>. Without the products' isolation an override in a product's name reversed " · " and
// the plan after it; without the plan's, a Hebrew plan's name was laid out left to right, its Latin
// part after its Hebrew as in an English sentence, not as the right-to-left name it is.
test("app page's quota link: an override in a product's name reverses nothing after it, and a Hebrew plan's name reads right to left", async ({ page }) => {
  const t = tag();
  const { owner, product: p } = await planOnItsOwnProduct(conn, t, { prefix: "adv-quota", productName: `Quota \u202E${t}`, planName: `זהב Gold ${t}` });
  const { email, request, person } = await requestFor(page, t, [p]);
  await decideRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [request.id], decision: "approve", baseUrl: BASE_URL });
  rememberSecret((await claimKey(conn.db, await claimTokenOf(conn, request.id), person.id, { prefix: "ptk" })).plaintext);
  await signInAs(page, email, `/apps/${request.appId}`);
  const link = page.getByRole("list", { name: "This month's quota" }).getByRole("link");
  await expect(link).toContainText("זהב");
  console.log(`quota link: ${JSON.stringify(await link.textContent())}`);
  const leftOf = async (text: string) => (await boxOf(link, text)).left;
  // Soft, so each isolation is reported on its own: with neither, the product's override reverses the
  // plan's letters too and the second check alone would pass.
  const [quota, dot, hebrew, latin] = [await leftOf("Quota"), await leftOf("·"), await leftOf("זהב"), await leftOf("Gold")];
  expect.soft(quota < dot && dot < Math.min(hebrew, latin), `the product, then "·", then the plan, left to right (${quota}, ${dot}, ${Math.min(hebrew, latin)})`).toBe(true);
  // Right to left: the plan's Hebrew first, on the right, its Latin words after it, on the left.
  expect.soft(latin < hebrew, `the plan's "Gold" left of its Hebrew (${latin}, ${hebrew})`).toBe(true);
});

// The change: the OAuth line's link now holds a <bdi> around the app's name. Its name, to a screen
// reader and to getByRole, is still the sentence as written, and the override reverses nothing after it.
test("request page's OAuth link: named as written with a hostile app name, and \"'s page\" is not reversed", async ({ page }) => {
  const t = tag();
  const { email, requestId } = await approvedRequest(conn, "identity");
  const [r] = await conn.db.select({ appId: accessRequests.appId }).from(accessRequests).where(eq(accessRequests.id, requestId));
  if (!r) throw new Error("request");
  const appName = `<b>x</b> \u202E${t}`;
  await conn.db.update(apps).set({ name: appName }).where(eq(apps.id, r.appId));
  await signInAs(page, email);
  const claimLink = await claimLinkFor(page, email);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(claimLink);
  await createOAuthClient(page);
  await page.goto(`/requests/${requestId}`);
  const sentence = `Roll its secret, check it in or see the token call on ${appName}'s page`;
  const link = page.getByRole("link", { name: sentence, exact: true });
  await expect(link).toBeVisible();
  await expect(link).toHaveAccessibleName(sentence);
  await expect(link.locator("b")).toHaveCount(0);
  expect(await readsLeftToRight(link, "page"), `"page" is not drawn backwards`).toBe(true);
  expect(await readsLeftToRight(link, "token"), `"token" is not drawn backwards`).toBe(true);
});

// MISSED BY THE CHANGE (older): the roll page says the same "<products> · <plan> plan for <app>" as
// one string (app/(consumer)/requests/[id]/roll/page.tsx), so the plan's override reverses "plan for".
test("roll page: an override in the plan's name does not reverse \"plan for\" and the app after it", async ({ page }) => {
  const t = tag();
  const { product: p } = await planOnItsOwnProduct(conn, t, { prefix: "adv-roll", productName: `Roll ${t}` });
  const { email, request } = await requestFor(page, t, [p]);
  await signInAs(page, email, `/requests/${request.id}/roll`);
  const line = page.locator("header p", { hasText: `App ${t}` }).first();
  await expect(line).toBeVisible();
  expect(await readsLeftToRight(line, "plan for"), `"plan for" is not drawn backwards`).toBe(true);
  expect(await readsLeftToRight(line, `App ${t}`), "the app's name is not drawn backwards").toBe(true);
});

// MISSED BY THE CHANGE (older): My requests joins the products with ", " as one string, in the table
// and on a phone's cards; the first product's override reverses the second product's name.
test("My requests: an override in one product's name does not reverse the next product's name", async ({ page }) => {
  const t = tag();
  const first = await product(t, `Aaa \u202E${t}`);
  const second = await product(t, `Zzz ${t} API`, first.planId);
  const { email, request } = await requestFor(page, t, [first, second]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, email, "/requests");
  const link = page.locator(`a[href="/requests/${request.id}"]`).filter({ visible: true }).first();
  await expect(link).toContainText(`Zzz ${t} API`);
  console.log(`My requests link: ${JSON.stringify(await link.textContent())}`);
  expect(await readsLeftToRight(link, "Zzz"), "the second product is not drawn backwards").toBe(true);
});

// MISSED BY THE CHANGE (older): with products of several owners the request page lists each part as
// "<product>: waiting for its owner" (components/request-parts.tsx), the product's name in a plain
// <span>: an override in it reverses the portal's words after it.
test("request page parts: an override in a product's name does not reverse \": waiting for its owner\"", async ({ page }) => {
  const t = tag();
  const first = await product(t, `Part \u202E${t}`);
  const second = await product(t, `Other ${t} API`, first.planId);
  const { email, request } = await requestFor(page, t, [first, second]);
  await signInAs(page, email, `/requests/${request.id}`);
  const part = page.getByTestId("request-parts").getByRole("listitem").filter({ hasText: `${t}` }).filter({ hasNotText: "Other" }).first();
  await expect(part).toContainText("waiting for its owner");
  expect(await readsLeftToRight(part, "waiting"), `"waiting" is not drawn backwards`).toBe(true);
});

// MISSED BY THE CHANGE (older): the queue's detail panel, the file the change touched, still says
// "<plan> · <app>" and its heading "<products>" as plain strings.
test("queue panel: an override in the plan's name does not reverse the app's name after it", async ({ page }) => {
  const t = tag();
  const { product: p } = await planOnItsOwnProduct(conn, t, { prefix: "adv-panel", productName: `Panel ${t}` });
  const { request } = await requestFor(page, t, [p]);
  await signInAs(page, "admin@portico.dev", `/admin/requests?status=all&open=${request.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  const line = panel.locator("p", { hasText: `App ${t}` }).first();
  await expect(line).toBeVisible();
  expect(await readsLeftToRight(line, "App"), "the app's name is not drawn backwards").toBe(true);
});

// MISSED BY THE CHANGE (older): the cart's line under each product, "<plan> plan · API key".
test("cart: an override in the plan's name does not reverse \"plan · API key\"", async ({ page }) => {
  const t = tag();
  const { plan, product: p } = await planOnItsOwnProduct(conn, t, { prefix: "adv-cart", productName: `Cart ${t}` });
  const email = `adv-cart-${t}@example.com`;
  const [person] = await conn.db.insert(users).values({ email, name: `Adv ${t}` }).returning();
  if (!person) throw new Error("seed");
  await addToCart(conn.db, person.id, { productId: p.id, planId: plan.id });
  await signInAs(page, email, "/cart");
  const line = page.getByRole("list", { name: "Cart items" }).locator("p").first();
  await expect(line).toContainText("plan");
  console.log(`cart line: ${JSON.stringify(await line.textContent())}`);
  expect(await readsLeftToRight(line, "plan"), `"plan" is not drawn backwards`).toBe(true);
  // The submit form's sentence about the plan (app/(consumer)/cart/submit-request-form.tsx).
  const sentence = page.locator("form", { has: page.getByRole("heading", { name: "Request access" }) }).locator("p").first();
  await expect(sentence).toContainText("An API owner reviews");
  expect(await readsLeftToRight(sentence, "requests"), `"requests" is not drawn backwards`).toBe(true);
});

// OLDER, NOT BIDI: a product's name is typed by its owner and may be 80 characters without a space.
// The catalogue's card (components/product-card.tsx) and the API access key form's product list
// (app/admin/api-keys/role-rows.tsx) give it no overflow-wrap, so a phone's page scrolls sideways.
// (Left as the change found them; found when this spec's long names made e2e/phone.spec.ts fail.)
test("on a phone an 80-character product name without a space widens neither the catalogue nor the API access key form", async ({ page }) => {
  const t = tag();
  const p = await product(t, `${t}${"W".repeat(72)}`);
  shortenProduct(p.id, t);
  await signInAs(page, "admin@portico.dev");
  await page.setViewportSize({ width: 375, height: 812 });
  const widths: Record<string, number> = {};
  for (const path of ["/apis", "/admin/api-keys/new"]) {
    await page.goto(path);
    await expect(page.getByText(p.name).first()).toBeAttached();
    widths[path] = await pageOverflow(page);
  }
  console.log(`phone overflow with a long product name: ${JSON.stringify(widths)}`);
  expect(widths).toEqual({ "/apis": 0, "/admin/api-keys/new": 0 });
});
