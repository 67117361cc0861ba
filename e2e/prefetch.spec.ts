import { expect, test } from "@playwright/test";

// Every page is dynamic (the header carries the session), so each prefetch is a server render:
// links prefetch when someone shows intent, not when they scroll into view (components/ui/link.tsx).
test("the catalogue prefetches no page on sight; hovering or focusing a product's link prefetches it, and the click still navigates", async ({ page }) => {
  const prefetched: string[] = [];
  page.on("request", (request) => {
    if (request.headers()["next-router-prefetch"]) prefetched.push(new URL(request.url()).pathname);
  });
  await page.goto("/apis");
  const card = page.getByRole("link", { name: /Payments API/ }).first();
  await expect(card).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(prefetched, "prefetches before any intent").toEqual([]);

  const href = await card.getAttribute("href");
  expect(href).toMatch(/^\/apis\/[a-z0-9-]+$/);
  await card.hover();
  await expect.poll(() => prefetched.includes(href ?? ""), { message: `a prefetch of ${href} after hover` }).toBe(true);
  expect(new Set(prefetched), "only the hovered page").toEqual(new Set([href]));

  // Keyboard intent counts too: focus the header's cart link.
  const cart = page.getByTestId("cart-link");
  await cart.focus();
  await expect.poll(() => prefetched.includes("/cart"), { message: "a prefetch of /cart after focus" }).toBe(true);

  await card.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
});
