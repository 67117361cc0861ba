import { expect, type Page } from "@playwright/test";
import { mailLinks } from "./mailbox";

/** Signs in through the real magic-link flow, reading the link from the dev mailbox. */
export async function signInAs(page: Page, email: string) {
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

  const link = await latestLinkFor(page, email);
  await page.goto(link);
  // In the DOM, not necessarily visible: on a phone the header keeps the person behind its Menu button.
  await expect(page.getByTestId("signed-in-as")).toBeAttached();
}

/** The first link in the newest message to this address, once the worker has sent it. */
export async function latestLinkFor(page: Page, email: string) {
  const [link] = await mailLinks(page, email);
  if (!link) throw new Error(`no link in the newest message to ${email}`);
  return link;
}

/** On the sign-in page a guard sent us to: asks for a link and follows it (to wherever it returns). */
export async function signInFromHere(page: Page, email: string) {
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await page.goto(await latestLinkFor(page, email));
}
