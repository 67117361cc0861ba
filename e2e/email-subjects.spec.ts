import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { emailSubjects } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";

const conn = e2eDb();
test.afterAll(async () => {
  await conn.sql.end();
});

test("an email subject previews as it is typed, and an unknown placeholder is refused with the valid ones", async ({ page }) => {
  await signInAs(page, "admin@portico.dev", "/admin/settings/emails");
  const field = page.getByLabel("Key rolled subject");
  const form = page.locator("form").filter({ has: field });
  const preview = page.getByTestId("preview-subject-key-rolled");
  const [before] = await conn.db.select().from(emailSubjects).where(eq(emailSubjects.template, "key-rolled"));

  // The preview follows each keystroke, with the template's sample values; nothing is saved yet.
  await field.fill("");
  await field.pressSequentially("Rolled: {app}");
  await expect(preview).toHaveText(/^Rolled: \S/);
  await expect(preview).not.toContainText("{app}");

  await field.fill("Rolled {ap} for {user}");
  const message = "{ap}, {user} are not placeholders of this email. Use {portal}, {products}, {plan}, {app}.";
  await expect(form.getByRole("alert")).toHaveText(message);
  await expect(preview).toHaveText("Rolled {ap} for {user}");

  // The server refuses it too, with the same message, and stores nothing.
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("alert")).toHaveText(message);
  await page.reload();
  const [after] = await conn.db.select().from(emailSubjects).where(eq(emailSubjects.template, "key-rolled"));
  expect(after?.subject).toBe(before?.subject);
});
