import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { and, desc, eq } from "drizzle-orm";
import { auditEvents, signInAttempts, users } from "../db/schema";
import { callAction, sessionCookie } from "./actions";
import { e2eDb } from "./db";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const SPOOFED = "203.0.113.66";

test("a spoofed X-Forwarded-For never lands in the audit log or the sign-in limits: the socket address does", async ({ request }) => {
  const tag = randomBytes(4).toString("hex");
  const [admin] = await conn.db.insert(users).values({ email: `ip-admin-${tag}@example.com`, role: "admin" }).returning();
  const [target] = await conn.db.insert(users).values({ email: `ip-target-${tag}@example.com` }).returning();
  if (!admin || !target) throw new Error("users");

  const res = await callAction(request, {
    page: "/admin/users",
    file: "app/admin/users/actions.ts",
    name: "changeRoleAction",
    fields: { userId: target.id, role: "owner" },
    cookie: await sessionCookie(conn, admin.id),
    headers: { "X-Forwarded-For": SPOOFED, "X-Real-IP": SPOOFED },
  });
  expect(res.status).toBe(200);
  const [event] = await conn.db
    .select({ ip: auditEvents.ip })
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, target.id), eq(auditEvents.action, "user.role_changed")));
  // The e2e server trusts no proxy (PORTICO_TRUSTED_PROXIES unset): the address is the test's socket.
  expect(event?.ip).toBe("127.0.0.1");

  // A sign-in link asked for straight from Auth.js's endpoint counts against the real address too.
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const before = new Date(Date.now() - 1000);
  const signIn = await request.post("/api/auth/signin/email", {
    form: { email: `ip-signin-${tag}@example.com`, csrfToken, callbackUrl: "/" },
    headers: { "X-Forwarded-For": SPOOFED },
    maxRedirects: 0,
  });
  expect(signIn.status()).toBe(302);
  const attempts = await conn.db
    .select({ ip: signInAttempts.ip, createdAt: signInAttempts.createdAt })
    .from(signInAttempts)
    .orderBy(desc(signInAttempts.id))
    .limit(1);
  expect(attempts[0]?.createdAt.getTime()).toBeGreaterThan(before.getTime());
  expect(attempts[0]?.ip).toBe("127.0.0.1");
});
