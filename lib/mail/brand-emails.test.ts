import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { sendSignInLink } from "@/lib/auth/send-sign-in-link";
import type { UserActor } from "@/lib/auth/permissions";
import { saveBranding } from "@/lib/branding/save-branding";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { deliverEmail } from "./deliver-email";
import { setSubject } from "./email-admin";
import { outboxTransport } from "./transport";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let admin: UserActor;
const baseUrl = "http://portal.test";
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  const row = await f.user("admin");
  admin = { kind: "user", id: row.id, role: "admin", disabled: false };
});

const limits = { perAddressMinute: 100, perAddressHour: 100, perIpHour: 100 };
async function signInMail(to: string) {
  expect(await sendSignInLink(t.db, { address: to, url: "http://127.0.0.1:3100/api/auth/callback/email?token=t", ip: null }, { limits, host: "127.0.0.1:3100" })).toBe("sent");
  const [row] = await t.db
    .select()
    .from(emailMessages)
    .where(and(eq(emailMessages.to, to), eq(emailMessages.template, "sign-in")))
    .orderBy(sql`created_at desc`)
    .limit(1);
  if (!row) throw new Error("no sign-in email");
  return row;
}
const mailOf = (template: string, to: string) =>
  t.db.select().from(emailMessages).where(and(eq(emailMessages.template, template), eq(emailMessages.to, to)));

describe("emails carry the brand", () => {
  it("the sign-in subject names the portal, never the bare host, and follows a saved brand; the body greets by name and has a plain-text part", async () => {
    const user = await f.user("consumer");
    expect((await signInMail(user.email)).subject).toBe("Sign in to Portico");

    await saveBranding(t.db, admin, { name: "Acme APIs", headline: "", accent: "#0f766e", footerLinks: [], logo: "keep" });
    const message = await signInMail(user.email);
    expect(message.subject).toBe("Sign in to Acme APIs");
    expect(message.subject).not.toContain("127.0.0.1");
    expect(message.props).toMatchObject({ recipientName: user.name });

    expect(await deliverEmail(t.db, message.id, outboxTransport, { from: "portal@portal.test" })).toBe("sent");
    const [sent] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, message.id));
    // sign-in bodies are sealed in the outbox; their text exists and is not empty
    expect(sent?.text?.length ?? 0).toBeGreaterThan(40);
    expect(sent?.html?.length ?? 0).toBeGreaterThan(40);
  });

  it("an admin's subject override keeps working, {host} and {portal} included", async () => {
    const user = await f.user("consumer");
    await setSubject(t.db, admin, { template: "sign-in", subject: "Your {portal} link ({host})" });
    try {
      expect((await signInMail(user.email)).subject).toBe("Your Acme APIs link (127.0.0.1:3100)");
    } finally {
      await setSubject(t.db, admin, { template: "sign-in", subject: "" });
    }
  });

  it("delivers a branded body with a readable plain-text part", async () => {
    const user = await f.user("consumer");
    const app = await f.app(user.id);
    await addToCart(t.db, user.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
    await submitRequest(t.db, { userId: user.id, baseUrl }, { appId: app.id, reason: "Checkout" }, {});
    const [received] = await mailOf("request-received", user.email);
    if (!received) throw new Error("no receipt");
    expect(await deliverEmail(t.db, received.id, outboxTransport, { from: "portal@portal.test" })).toBe("sent");
    const [sent] = await t.db.select().from(emailMessages).where(eq(emailMessages.id, received.id));
    expect(sent?.html).toContain("background-color:#0f766e");
    expect(sent?.html).toContain('name="color-scheme"');
    expect(sent?.text).toContain("Acme APIs");
    expect(sent?.text).toContain(`Hello ${user.name},`);
    expect(sent?.text).toContain("We received your request for Standard access to Payments API");
    expect(sent?.text).not.toMatch(/<\w|\{/);
  });
});

describe("“we received your request”", () => {
  it("is queued exactly once per submit, to the requester, with a job, in the submit's transaction", async () => {
    const user = await f.user("consumer");
    const app = await f.app(user.id);
    await addToCart(t.db, user.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
    const req = await submitRequest(t.db, { userId: user.id, baseUrl }, { appId: app.id, reason: "Checkout" }, {});
    const mails = await mailOf("request-received", user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe("We received your request for Payments API");
    expect(mails[0]?.props).toMatchObject({ requestUrl: `${baseUrl}/requests/${req.id}`, autoApproved: false });
    const jobs = await t.db.execute(sql`select count(*)::int as n from graphile_worker.jobs where key = ${`email:${mails[0]?.id ?? ""}`}`);
    expect(jobs[0]?.n).toBe(1);
  });

  it("says an auto-approved request is approved", async () => {
    const user = await f.user("consumer");
    await addToCart(t.db, user.id, { productId: f.product("weather").id, planId: f.plan("Free").id });
    await submitRequest(t.db, { userId: user.id, baseUrl }, { newAppName: "Widget", reason: "Demo" }, {});
    const mails = await mailOf("request-received", user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.props).toMatchObject({ autoApproved: true });
  });

  it("is not queued when the submit is refused (nothing written)", async () => {
    const user = await f.user("consumer");
    const app = await f.app(user.id);
    await addToCart(t.db, user.id, { productId: f.product("payments").id, planId: f.plan("Enterprise").id });
    await expect(submitRequest(t.db, { userId: user.id, baseUrl }, { appId: app.id, reason: "x" }, {})).rejects.toThrow();
    expect(await mailOf("request-received", user.email)).toHaveLength(0);
  });

  it("the owner's new-request email carries the requester's answers and the request's admin page", async () => {
    const user = await f.user("consumer");
    const app = await f.app(user.id);
    await addToCart(t.db, user.id, { productId: f.product("payments").id, planId: f.plan("Enterprise").id });
    const req = await submitRequest(t.db, { userId: user.id, baseUrl }, { appId: app.id, reason: "Scale" }, { company: "Acme Ltd", environment: "Production" });
    const [mail] = await mailOf("new-request", "owner@portico.dev").then((rows) => rows.filter((r) => JSON.stringify(r.props).includes(req.id)));
    expect(mail?.props).toMatchObject({
      url: `${baseUrl}/admin/requests/${req.id}`,
      answers: expect.arrayContaining([
        { label: "Company", value: "Acme Ltd" },
        { label: "Environment", value: "Production" },
      ]),
    });
  });
});
