import { expect, type Locator, test, type Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { sessionCookie } from "./actions";
import { e2eDb } from "./db";
import { mailLinks } from "./mailbox";

/** Auth.js's session lifetime (lib/auth/index.ts maxAge): a session this long is never rewritten on use. */
const AUTH_SESSION_MS = 30 * 24 * 3600_000;

/** A toast (components/toast.tsx, sonner) saying this. */
export const toast = (page: Page, text: string) => page.locator("[data-sonner-toast]").filter({ hasText: text });

/**
 * Signs in someone who already has an account, as a finished magic-link sign-in leaves them: a
 * database session of Auth.js's 30 days and its cookie, then the home page (or `path`). A new address, a
 * disabled user or a service user takes the real flow (signInByLink), which is what makes or refuses
 * them. `path` is the page to end on (one page load, not the home page and then that page). The
 * specs about signing in use signInByLink themselves; the others test what comes after, and the real
 * flow cost 2–3 s of browser and mail worker each (the suite signs in about 90 times).
 * Only for the shared e2e server: the session goes into its database (e2e/db.ts), so a spec that
 * starts a portal of its own signs in there by link.
 */
export async function signInAs(page: Page, email: string, path?: string) {
  const conn = e2eDb();
  let cookie: string | null = null;
  let shownAs = email;
  try {
    const [user] = await conn.db
      .select({ id: users.id, name: users.name, disabledAt: users.disabledAt, kind: users.kind })
      .from(users)
      .where(eq(users.email, email.toLowerCase()));
    if (user && !user.disabledAt && user.kind !== "service") cookie = await sessionCookie(conn, user.id, AUTH_SESSION_MS);
    shownAs = user?.name ?? email.toLowerCase();
  } finally {
    await conn.sql.end();
  }
  if (!cookie) {
    await signInByLink(page, email);
    if (path) await page.goto(path);
    return;
  }
  const baseURL = test.info().project.use.baseURL;
  if (!baseURL) throw new Error("signInAs needs the project's baseURL");
  // As Auth.js sets it on http: host-only, HttpOnly, SameSite=Lax.
  const [name, value] = cookie.split("=") as [string, string];
  await page.context().addCookies([{ name, value, url: baseURL, httpOnly: true, sameSite: "Lax" }]);
  await page.goto(path ?? "/");
  if (new URL(page.url()).origin !== new URL(baseURL).origin) {
    throw new Error(`signInAs made a session on ${baseURL}, but the page is on ${page.url()}: a portal of its own signs in with signInByLink`);
  }
  // As this person: a session that did not replace the one before would still show the last one.
  await expect(page.getByTestId("signed-in-as")).toContainText(shownAs);
}

/** Signs in through the real magic-link flow, reading the link from the dev mailbox. */
export async function signInByLink(page: Page, email: string) {
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

/**
 * Opens the header's account menu (the button with the person's name) and returns it. A click that
 * lands before the page has hydrated opens nothing (Radix opens on its own pointer handler), so it
 * clicks again until the menu is there.
 */
export async function openAccountMenu(page: Page) {
  const menu = page.getByRole("menu");
  await expect(async () => {
    if (!(await menu.isVisible())) await page.getByTestId("signed-in-as").click();
    await expect(menu).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  return menu;
}

/** A filter bar's Apply filters button and its Reset link centre on one line (within 2 px), on a desktop and on a phone. */
export async function expectOnOneMiddleLine(page: Page, button: Locator, link: Locator) {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(viewport);
    const a = await button.boundingBox();
    const b = await link.boundingBox();
    if (!a || !b) throw new Error("the button or the link is not shown");
    expect(Math.abs(a.y + a.height / 2 - (b.y + b.height / 2)), `centres at ${viewport.width} px`).toBeLessThanOrEqual(2);
  }
}

/**
 * The lines an element's text is laid out on, read from each character's box (a Range per
 * character), e.g. ["Quinn 1a2b <queue.1a2b", "@example.com>"].
 */
export async function textLines(element: Locator): Promise<string[]> {
  return element.evaluate((root) => {
    const lines: { top: number; text: string }[] = [];
    const range = document.createRange();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? "";
      for (let i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        const line = lines.at(-1);
        // A space where the line breaks hangs without a box of its own: it stays with the line it ends.
        if (!box || box.width === 0) {
          if (line && /\s/.test(text[i] ?? "")) line.text += " ";
          continue;
        }
        if (line && box.top < line.top + box.height / 2) line.text += text[i];
        else lines.push({ top: box.top, text: text[i] ?? "" });
      }
    }
    return lines.map((l) => l.text);
  });
}

/**
 * Text holding an email address wraps only between words or right before an "@", never inside a
 * local part or a domain ("queue.1a2b@exam" / "ple.com").
 */
export async function expectEmailsWhole(element: Locator, what: string) {
  const lines = await textLines(element);
  for (let i = 1; i < lines.length; i++) {
    const before = lines[i - 1] ?? "";
    const after = lines[i] ?? "";
    // Whitespace, the "@" and a hyphen are the places an address may break (components/email-text.tsx).
    const between = /[\s-]$/.test(before) || /^[\s@]/.test(after);
    expect(between, `${what} breaks inside a word: ${JSON.stringify(lines)}`).toBe(true);
  }
}

/** Whether `word`, in the first text node under `element` that holds it, is laid out left to right: its first letter left of its last. */
export async function readsLeftToRight(element: Locator, word: string) {
  return (await boxOf(element, word)).left < (await boxOf(element, word, word.length - 1)).left;
}

/**
 * The on-screen box (left, top) of a character of `needle` (its first, or the one `offset` into it)
 * where `needle` first appears under `root`.
 */
export async function boxOf(root: Locator, needle: string, offset = 0) {
  return root.evaluate((el, [needle, offset]) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? "").indexOf(needle);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at + offset);
      range.setEnd(node, at + offset + 1);
      const r = range.getBoundingClientRect();
      return { left: Math.round(r.left), top: Math.round(r.top) };
    }
    throw new Error(`no text holds ${needle}`);
  }, [needle, offset] as const);
}
