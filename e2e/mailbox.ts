import { expect, type Page } from "@playwright/test";

/**
 * Reads the dev mailbox over HTTP with the page's own request context (its cookies, no rendering):
 * the same pages a person opens, without painting them. e2e/roll-reminders.spec.ts clicks through them.
 */
type Row = { id: string; to: string; template: string; status: string };

function decode(text: string) {
  return text.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** The mailbox's rows, newest first (app/dev/mailbox/page.tsx marks each with its message's facts). */
async function rows(page: Page): Promise<Row[]> {
  const response = await page.request.get("/dev/mailbox");
  expect(response.status(), "the dev mailbox answers").toBe(200);
  const html = await response.text();
  const listed = html.split("<li data-template=").length - 1;
  const parsed = [...html.matchAll(/<li data-template="([^"]*)" data-to="([^"]*)" data-status="([^"]*)" data-message="([^"]*)"/g)].map((m) => ({
    template: decode(m[1] ?? ""),
    to: decode(m[2] ?? ""),
    status: decode(m[3] ?? ""),
    id: decode(m[4] ?? ""),
  }));
  // A changed row (another attribute, another order) fails here, not as a 15 s wait for "sent".
  if (parsed.length !== listed) throw new Error(`read ${parsed.length} of the mailbox's ${listed} rows: app/dev/mailbox/page.tsx changed its <li>`);
  return parsed;
}

/**
 * The links in the newest message to this address (of this template, if given), once it is sent:
 * the worker delivers a moment after the action, so this asks again until it has.
 */
export async function mailLinks(page: Page, email: string, template?: string): Promise<string[]> {
  let id = "";
  await expect
    .poll(
      async () => {
        const row = (await rows(page)).find((r) => r.to === email && (!template || r.template === template));
        id = row?.id ?? "";
        return row?.status ?? "no message yet";
      },
      { message: `a sent message to ${email}`, timeout: 15_000, intervals: [100, 200, 300, 500] },
    )
    .toBe("sent");
  const response = await page.request.get(`/dev/mailbox/${id}`);
  expect(response.status(), "the message page answers").toBe(200);
  const html = await response.text();
  return [...html.matchAll(/<a href="([^"]+)"[^>]*data-testid="mail-link"/g)].map((m) => decode(m[1] ?? ""));
}
