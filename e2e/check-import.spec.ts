import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { and, eq, isNotNull } from "drizzle-orm";
import { apiKeys, apps, auditEvents, users } from "../db/schema";
import { generateKey, hashSecret } from "../lib/keys/key-format";
import { callAction, sessionCookie } from "./actions";
import { e2eDb } from "./db";
import { signInAs, toast } from "./helpers";
import { seriousViolations } from "./helpers-products";
import { approvedRequest, claimFromMailbox, rememberSecret } from "./keys-helpers";

// Issue 16, Check and Set: a consumer checks a key on their app's page; an admin imports keys
// (dry run, then import) and checks one of them on the keys page. The key travels only in POST bodies.
const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const serverLog = () => (fs.existsSync(".data/e2e-server.log") ? fs.readFileSync(".data/e2e-server.log", "utf8") : "");

test("a consumer checks keys on their app's page: current, and not this app's", async ({ page }) => {
  const { email, appName } = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, email);
  const [app] = await conn.db.select({ id: apps.id }).from(apps).where(eq(apps.name, appName));
  if (!app) throw new Error("app");
  await page.goto(`/apps/${app.id}`);
  const field = page.getByLabel("Key to check", { exact: true });
  await expect(field).toHaveAttribute("type", "password");
  await expect(field).toHaveAttribute("autocomplete", "off");
  await field.fill(key);
  await page.getByRole("button", { name: "Check", exact: true }).click();
  const answer = page.getByTestId("key-check");
  await expect(answer).toContainText(`This is ${appName}'s current key. It works.`);
  await expect(answer).toContainText("Payments API");
  expect(await seriousViolations(page), "/apps/<id> with a check answer").toEqual([]);
  await expect(answer).not.toContainText(key);
  // The form was reset: the key is not left on the page.
  await expect(field).toHaveValue("");
  expect(page.url()).not.toContain(key);
  expect(page.url()).toBe(new URL(`/apps/${app.id}`, page.url()).toString());

  const stranger = generateKey("ptk");
  await field.fill(stranger);
  await page.getByRole("button", { name: "Check", exact: true }).click();
  await expect(answer).toContainText(`Not a key of ${appName}.`);
  expect(serverLog()).not.toContain(key);
});

test("an admin imports keys (dry run, then import) and checks one on the keys page", async ({ page, request }) => {
  const tag = randomBytes(4).toString("hex");
  const adminEmail = `import-admin-${tag}@example.com`;
  await conn.db.insert(users).values({ email: adminEmail, name: `Ines ${tag}`, role: "admin" });
  const consumer = `imported-${tag}@example.com`;
  const portico = generateKey("ptk");
  const legacy = `legacy_${randomBytes(16).toString("hex")}`;
  const csv = [
    "app,consumer_email,products,plan,key,key_sha256,expires_at",
    `Imported ${tag},${consumer},payments,Standard,${portico},,2099-12-31`,
    `Imported ${tag},${consumer},weather|geocoding,Standard,,${hashSecret(legacy)},`,
    `Imported ${tag},${consumer},no-such-api-${tag},Standard,${generateKey("ptk")},,`,
  ].join("\n");

  await signInAs(page, adminEmail, "/admin/keys");
  await page.getByRole("link", { name: "Import keys" }).click();
  await expect(page.getByRole("heading", { name: "Import keys", level: 1 })).toBeVisible();
  expect(await seriousViolations(page), "/admin/keys/import").toEqual([]);
  await page.getByLabel("CSV file").setInputFiles({ name: "legacy-keys.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(page.getByRole("status")).toContainText("Dry run: 2 keys would be imported, 1 row is refused. Nothing was written yet.");
  await expect(page.getByTestId("imported-row")).toHaveCount(2);
  const refused = page.getByTestId("refused-row");
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText("4");
  await expect(refused).toContainText(`Unknown product “no-such-api-${tag}”`);
  await expect(page.getByRole("link", { name: "Download the refused rows (CSV)" })).toBeVisible();
  expect(await seriousViolations(page), "/admin/keys/import after a dry run").toEqual([]);
  expect(await conn.db.$count(users, eq(users.email, consumer))).toBe(0);

  await page.getByRole("button", { name: "Import 2 keys" }).click();
  await expect(page.getByRole("status")).toContainText("Imported 2 keys; 1 row was refused and skipped.");
  await expect(toast(page, "Imported 2 keys; 1 row was refused and skipped.")).toBeVisible();
  // Remembered once imported: e2e/secrets.spec.ts expects each remembered key's hash in the database.
  for (const k of [portico, legacy]) rememberSecret(k);
  const stored = await conn.db.select().from(apiKeys).where(and(eq(apiKeys.keyHash, hashSecret(portico)), isNotNull(apiKeys.importedAt)));
  expect(stored).toHaveLength(1);
  expect(stored[0]?.start).toBe(portico.slice(0, 8));
  const [event] = await conn.db.select().from(auditEvents).where(and(eq(auditEvents.action, "keys.imported"), eq(auditEvents.actorId, await idOf(adminEmail))));
  expect(event?.data).toMatchObject({ fileName: "legacy-keys.csv", imported: 2, refused: 1 });

  // The imported key verifies like an issued one.
  const verified = await request.post("/api/v1/keys/verify", { headers: { Authorization: `Bearer ${portico}` }, data: { product: "payments" } });
  expect(verified.status()).toBe(200);

  await page.goto("/admin/keys");
  await page.getByLabel("Key to check", { exact: true }).fill(portico);
  await page.getByRole("button", { name: "Check", exact: true }).click();
  const answer = page.getByTestId("key-check");
  await expect(answer).toContainText("This is its app's current key. It works.");
  await expect(answer).toContainText(consumer);
  await expect(answer).toContainText(`Imported ${tag}`);
  await expect(answer).toContainText("(imported)");
  expect(page.url()).not.toContain(portico);
  const log = serverLog();
  for (const k of [portico, legacy]) expect(log).not.toContain(k);
});

async function idOf(email: string) {
  const [u] = await conn.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return u?.id ?? "";
}

test("over HTTP: only an enabled admin imports; a consumer checks only on their own app", async ({ request }) => {
  const tag = randomBytes(4).toString("hex");
  let made = 0;
  const make = async (role: "consumer" | "owner" | "admin", disabled = false) => {
    const [u] = await conn.db
      .insert(users)
      .values({ email: `authz-${role}-${++made}-${tag}@example.com`, role, disabledAt: disabled ? new Date() : null })
      .returning();
    if (!u) throw new Error("user");
    return { ...u, cookie: await sessionCookie(conn, u.id) };
  };
  const newConsumer = `authz-new-${tag}@example.com`;
  const key = generateKey("ptk");
  const csv = `app,consumer_email,products,plan,key,expires_at\nA ${tag},${newConsumer},payments,Standard,${key},\n`;
  const importAs = (cookie: string, mode: string) =>
    callAction(request, { page: "/admin/keys/import", file: "app/admin/keys/import/actions.ts", name: "importKeysAction", fields: { mode, csv }, cookie });
  for (const who of [await make("consumer"), await make("owner")]) {
    for (const mode of ["dry-run", "import"]) {
      const answer = await importAs(who.cookie, mode);
      expect(answer.text, `${who.role} ${mode}`).toContain("Your role does not allow this action.");
      expect(answer.text).not.toContain('"ok":true');
    }
  }
  const disabled = await importAs((await make("admin", true)).cookie, "import");
  expect(disabled.text).not.toContain('"ok":true');
  expect(await conn.db.$count(users, eq(users.email, newConsumer))).toBe(0);
  expect(await conn.db.$count(apiKeys, eq(apiKeys.keyHash, hashSecret(key)))).toBe(0);
  const admin = await importAs((await make("admin")).cookie, "import");
  expect(admin.text).toContain('"ok":true');
  expect(admin.text).not.toContain(key);
  expect(await conn.db.$count(apiKeys, eq(apiKeys.keyHash, hashSecret(key)))).toBe(1);
  rememberSecret(key);

  // Checking the imported key on an app that is not yours: "That app was not found", nothing about the key.
  const stranger = await make("consumer");
  const [app] = await conn.db.select({ id: apps.id }).from(apps).where(eq(apps.name, `A ${tag}`));
  const check = await callAction(request, {
    page: `/apps/${app?.id}`,
    file: "app/(consumer)/apps/actions.ts",
    name: "checkAppKeyAction",
    fields: { appId: app?.id ?? "", key },
    cookie: stranger.cookie,
  });
  expect(check.text).toContain("That app was not found");
  expect(check.text).not.toContain(key);
  expect(check.text).not.toContain(newConsumer);
});
