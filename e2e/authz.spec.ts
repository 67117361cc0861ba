import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequests, apps, plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { submitRequest } from "../lib/requests/submit-request";
import { callAction, sessionCookie } from "./actions";
import { e2eDb, userIdByEmail } from "./db";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

async function user(role: "consumer" | "owner" | "admin") {
  const [u] = await conn.db
    .insert(users)
    .values({ email: `${role}-${randomBytes(4).toString("hex")}@example.com`, name: `Matrix ${role}`, role })
    .returning();
  if (!u) throw new Error("user");
  return u;
}

async function snapshot(requestId: string) {
  const [counts] = await conn.sql`select
    (select count(*)::int from audit_events) as audit,
    (select count(*)::int from email_messages) as emails,
    (select count(*)::int from email_subjects) as subjects,
    (select count(*)::int from access_requests) as requests,
    (select count(*)::int from apps where deleted_at is null) as apps`;
  const [row] = await conn.db.select({ status: accessRequests.status, hiddenAt: accessRequests.hiddenAt }).from(accessRequests).where(eq(accessRequests.id, requestId));
  return { ...counts, row };
}

test("every admin and consumer action refuses anonymous, consumers and owners of other products, writing nothing", async ({ request }) => {
  // A pending request of a consumer for a product of the demo owner.
  const requester = await user("consumer");
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!payments || !standard) throw new Error("seed");
  await addToCart(conn.db, requester.id, { productId: payments.id, planId: standard.id });
  const target = await submitRequest(conn.db, { userId: requester.id, baseUrl: "http://localhost" }, { newAppName: "Target app", reason: "r" }, {});

  const consumer = await user("consumer");
  const otherOwner = await user("owner");
  // A draft: written past the actions, so a published one would be missing from the cached catalogue.
  await conn.db.insert(products).values({ slug: `matrix-${randomBytes(3).toString("hex")}`, name: "Matrix product", ownerId: otherOwner.id, status: "draft" });
  const identities = {
    anonymous: undefined,
    consumer: await sessionCookie(conn, consumer.id),
    "owner of another product": await sessionCookie(conn, otherOwner.id),
  };

  const admin = { page: "/admin/requests", file: "app/admin/requests/actions.ts" };
  const settings = { page: "/admin/settings/emails", file: "app/admin/settings/emails/actions.ts" };
  const mine = { page: `/requests/${target.id}`, file: "app/(consumer)/requests/actions.ts" };
  const appsFile = { page: `/apps/${target.appId}`, file: "app/(consumer)/apps/actions.ts" };
  const cases: { page: string; file: string; name: string; fields: Record<string, string> }[] = [
    { ...admin, name: "decideAction", fields: { requestIds: target.id, decision: "approve", comment: "" } },
    { ...admin, name: "decideAction", fields: { requestIds: target.id, decision: "deny", comment: "no" } },
    { ...settings, name: "saveSubjectAction", fields: { template: "approved", subject: "Pwned" } },
    { ...settings, name: "retryMessageAction", fields: { messageId: "00000000-0000-4000-8000-000000000000" } },
    { ...mine, name: "cancelRequestAction", fields: { requestId: target.id } },
    { ...mine, name: "removeRequestAction", fields: { requestId: target.id } },
    { ...mine, name: "resubmitRequestAction", fields: { requestId: target.id } },
    { ...appsFile, name: "updateAppAction", fields: { id: target.appId, name: "Stolen", description: "" } },
    { ...appsFile, name: "deleteAppAction", fields: { id: target.appId } },
  ];

  const before = await snapshot(target.id);
  for (const c of cases) {
    for (const [who, cookie] of Object.entries(identities)) {
      if (c.file.includes("(consumer)") && who === "owner of another product") continue; // same as consumer: not theirs
      const res = await callAction(request, { page: c.page, file: c.file, name: c.name, fields: c.fields, cookie });
      expect(res.status, `${c.name} as ${who}`).toBeLessThan(500);
      expect(res.text, `${c.name} as ${who}`).toMatch(
        /Your session has ended|Your role does not allow|not found|was not found/,
      );
      expect(res.text).not.toMatch(/"ok":true/);
    }
  }
  expect(await snapshot(target.id)).toEqual(before);
  const [app] = await conn.db.select().from(apps).where(eq(apps.id, target.appId));
  expect(app?.name).toBe("Target app");

  // Control: the same call by the product's owner goes through, so the refusals above are real.
  const owner = await sessionCookie(conn, await userIdByEmail(conn.db, "owner@portico.dev"));
  const ok = await callAction(request, { ...cases[0], cookie: owner } as Parameters<typeof callAction>[1]);
  expect(ok.text).toContain('"ok":true');
  expect(ok.text).toContain("Approved 1: ");
  expect((await snapshot(target.id)).row?.status).toBe("approved");
});

test("admin pages: anonymous goes to sign-in, consumers get 403, owners see only their products", async ({ page, context, baseURL }) => {
  for (const path of ["/admin", "/admin/requests", "/admin/settings/emails", "/admin/emails"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  }
  const consumer = await user("consumer");
  const host = new URL(baseURL ?? "http://localhost:3100").hostname;
  const asCookie = (c: string) => {
    const [name, value] = c.split("=") as [string, string];
    return { name, value, domain: host, path: "/" };
  };
  await context.addCookies([asCookie(await sessionCookie(conn, consumer.id))]);
  for (const path of ["/admin", "/admin/requests", "/admin/settings/emails", "/admin/emails"]) {
    expect((await page.goto(path))?.status(), path).toBe(403);
  }

  await context.clearCookies();
  const owner = await user("owner");
  await context.addCookies([asCookie(await sessionCookie(conn, owner.id))]);
  for (const path of ["/admin/settings/emails", "/admin/emails"]) {
    expect((await page.goto(path))?.status(), path).toBe(403);
  }
  // A request for the demo owner's product, made here so the check below always runs.
  const requester = await user("consumer");
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!payments || !standard) throw new Error("seed");
  await addToCart(conn.db, requester.id, { productId: payments.id, planId: standard.id });
  const demoOwnerRequest = await submitRequest(conn.db, { userId: requester.id, baseUrl: "http://localhost" }, { newAppName: "Not yours", reason: "r" }, {});
  await page.goto(`/admin/requests?status=all&open=${demoOwnerRequest.id}`);
  await expect(page.getByText("This request does not exist or is not for your products.")).toBeVisible();
  await page.goto("/admin/requests?status=all");
  await expect(page.getByText("No requests match this view")).toBeVisible();
});
