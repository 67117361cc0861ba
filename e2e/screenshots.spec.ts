import { expect, type Page, test } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { plans, products, securitySettings, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { submitRequest } from "../lib/requests/submit-request";
import { signInByLink } from "./helpers";
import { sharedEnv } from "./instances";
import { ownInstance } from "./own-instance";

/**
 * The portal's look, pinned: each main page at 1280 and 390 px, light and dark, compared with the
 * reviewed images in screenshots.spec.ts-snapshots/ (update them with
 * `npx playwright test e2e/screenshots.spec.ts --update-snapshots` and look at every one before
 * committing). The pages come from an instance of their own with only the demo data, so nothing
 * another spec wrote shows; dates and times are masked (they move every day: <time>, [data-volatile] and any text with a date).
 */
const PORT = Number(process.env.E2E_SHOTS_PORT ?? 3117);
test.use({ baseURL: `http://127.0.0.1:${PORT}` });
test.describe.configure({ mode: "serial" });

let portal: Awaited<ReturnType<typeof ownInstance>>;
let requestId = "";

test.beforeAll(async () => {
  test.setTimeout(180_000);
  process.env.AUTH_SECRET ??= sharedEnv().AUTH_SECRET;
  portal = await ownInstance("screenshots", PORT);
  const { db } = portal.conn;
  // As for the other specs (e2e/policy.setup.ts): the admin is not sent to set up an authenticator first.
  await db.insert(securitySettings).values({ id: true, secondFactorPolicy: "no_one" }).onConflictDoUpdate({ target: securitySettings.id, set: { secondFactorPolicy: "no_one" } });
  // One pending request, so the queue and My requests have something to show.
  const [rita] = await db.insert(users).values({ email: "rita@example.com", name: "Rita Requester", emailVerified: new Date() }).returning();
  const [weather] = await db.select().from(products).where(eq(products.slug, "weather"));
  const [standard] = await db.select().from(plans).where(and(eq(plans.name, "Standard")));
  if (!rita || !weather || !standard) throw new Error("demo data missing");
  await addToCart(db, rita.id, { productId: weather.id, planId: standard.id });
  const request = await submitRequest(db, { userId: rita.id, baseUrl: portal.url }, { newAppName: "Acme Field App", reason: "Forecasts for our field crews' daily planning." }, {});
  requestId = request.id;
  // And something in Rita's cart for the cart page.
  const [geocoding] = await db.select().from(products).where(eq(products.slug, "geocoding"));
  const [free] = await db.select().from(plans).where(eq(plans.name, "Free"));
  if (!geocoding || !free) throw new Error("demo data missing");
  await addToCart(db, rita.id, { productId: geocoding.id, planId: free.id });
});

test.afterAll(async () => {
  await portal?.stop();
});

/**
 * Signs in by the emailed link: this portal has its own database, where signInAs (which writes a
 * session into the shared e2e server's) cannot reach. At the desktop size the header shows who is signed in.
 */
async function signIn(page: Page, email: string) {
  await signInByLink(page, email);
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

const VIEWPORTS = [
  { name: "1280", width: 1280, height: 800 },
  { name: "390", width: 390, height: 844 },
] as const;

/**
 * Any date as Portico writes it ("2 Dec 2026, 16:04", a chart's "18 Nov"; en-GB writes September
 * "Sept"): it moves every day, so it
 * is masked. Not `\b` before the day: a table cell's text starts with its phone label, hidden at
 * 1280 px ("Requested at5 Dec 2026"), and there "t5" is no word boundary.
 */
const A_DATE = /(?<!\d)\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b/;

/** The page in each viewport and theme, against its reviewed image. */
async function shoot(page: Page, name: string, path: () => string, ready: (page: Page) => Promise<void>) {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    for (const theme of ["light", "dark"] as const) {
      await page.context().addCookies([{ name: "portico-theme", value: theme, url: `http://127.0.0.1:${PORT}` }]);
      await page.goto(path());
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      await ready(page);
      await page.evaluate(() => document.fonts.ready);
      await expect(page).toHaveScreenshot(`${name}-${viewport.name}-${theme}.png`, {
        mask: [page.locator("time"), page.locator("[data-volatile]"), page.getByText(A_DATE)],
        maxDiffPixelRatio: 0.01,
        animations: "disabled",
        caret: "hide",
      });
    }
  }
}

test("signed out: home page, catalogue and a product page", async ({ page }) => {
  await shoot(page, "home", () => "/", (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible());
  await shoot(page, "catalogue", () => "/apis", (p) => expect(p.getByRole("link", { name: /Weather API/ }).first()).toBeVisible());
  await shoot(page, "product", () => "/apis/weather", (p) => expect(p.getByRole("heading", { level: 1, name: "Weather API" }).first()).toBeVisible());
});

test("a consumer: cart and My requests", async ({ page }) => {
  await signIn(page, "rita@example.com");
  await shoot(page, "cart", () => "/cart", (p) => expect(p.getByText("Geocoding API").first()).toBeVisible());
  await shoot(page, "my-requests", () => "/requests", (p) => expect(p.getByText("Weather API").filter({ visible: true }).first()).toBeVisible());
});

test("an admin: overview and the approval queue with a request open", async ({ page }) => {
  await signIn(page, "admin@portico.dev");
  // The charts stream in after the figures (app/admin/page.tsx): the picture is of the page with them.
  await shoot(page, "admin-overview", () => "/admin", async (p) => {
    await expect(p.getByRole("heading", { level: 1, name: "Admin portal" })).toBeVisible();
    await expect(p.getByTestId("decisions-chart")).toBeVisible();
    await expect(p.getByTestId("calls-chart")).toBeVisible();
  });
  await shoot(page, "queue-open", () => `/admin/requests?open=${requestId}`, (p) => expect(p.getByText("Forecasts for our field crews").first()).toBeVisible());
});
