import { expect, type Page } from "@playwright/test";

export type UserMenuItem = "Change role…" | "Reset authenticator…" | "Disable…" | "Enable";

/** The row of one person on /admin/users (the page must already list them). */
export const userRow = (page: Page, email: string) => page.getByTestId("user-row").filter({ hasText: email });

/**
 * Opens the row menu ("Actions for <email>") and chooses an item; returns the dialog it opens
 * (Enable opens none: the returned locator then matches nothing).
 */
export async function userMenu(page: Page, email: string, item: UserMenuItem) {
  await userRow(page, email).getByRole("button", { name: `Actions for ${email}` }).click();
  await page.getByRole("menuitem", { name: item }).click();
  const title =
    item === "Change role…" ? `Change the role of ${email}` : item === "Disable…" ? `Disable ${email}` : `Reset the authenticator of ${email}`;
  const dialog = page.getByRole("dialog", { name: title });
  if (item !== "Enable") await expect(dialog).toBeVisible();
  return dialog;
}
