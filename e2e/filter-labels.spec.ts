import { expect, test } from "@playwright/test";
import { signInAs } from "./helpers";

// FilterField (components/ui/filter-bar.tsx), from an adversarial review (2026-12-07): each label names
// exactly one control, clicking the label's words focuses it, and the control's name starts with them.
const bars = [
  { path: "/admin/requests", labels: ["Search", "Status", "Plan", "Product", "Requester", "Requested from", "Requested until"] },
  { path: "/admin/users", labels: ["Search", "Role", "Status"] },
  { path: "/admin/audit", labels: ["Search", "Action", "Subject type", "Subject id", "Who (email or API key name)", "From", "To"] },
  { path: "/admin/products", labels: ["Search", "Status"] },
];

for (const bar of bars) {
  test(`${bar.path}: every filter's label focuses its one control`, async ({ page }) => {
    await signInAs(page, "admin@portico.dev", bar.path);
    const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Apply filters" }) });
    // Fold-away filters open, as a person would before reaching them.
    const more = form.getByText(/More filters/).first();
    if (await more.isVisible().catch(() => false)) await more.click();
    for (const label of bar.labels) {
      const re = new RegExp(`^${label.replace(/[()]/g, "\\$&")}$`);
      const field = form.locator("label").filter({ has: page.locator('[data-slot="filter-label"]', { hasText: re }) });
      await expect(field, label).toHaveCount(1);
      const words = field.locator('[data-slot="filter-label"]');
      const control = field.locator("input, select");
      await expect(control, label).toHaveCount(1);
      await words.click();
      await expect(control, `clicking "${label}" focuses its control`).toBeFocused();
      // The control's accessible name begins with its label's words.
      const named = await control.evaluate((el, label) => {
        const l = (el as HTMLInputElement).labels?.[0];
        return { label: l?.textContent ?? null, ok: (l?.textContent ?? "").startsWith(label) };
      }, label);
      expect(named.ok, `${label}: ${JSON.stringify(named)}`).toBe(true);
    }
  });
}
