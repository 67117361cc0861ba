import { and, desc, eq, inArray, like, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { emailMessages } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { DomainError } from "@/lib/errors";
import { unseal } from "@/lib/mail/sealed";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import type { catalogueFixture } from "./fixtures";

/** Test helpers about access requests and the mail they cause, shared by the domain test files. */

/** What a call refused with, as `code: message` ("no error" if it went through). */
export const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.message}` : String(e)),
  );

/** The claim token as the requester receives it: from the newest approved email or re-sent link of the request, unsealed. */
export async function latestClaimToken(db: Database, requestId: string, baseUrl: string) {
  const [message] = await db
    .select()
    .from(emailMessages)
    .where(and(inArray(emailMessages.template, ["approved", "claim-link"]), like(sql`${emailMessages.props}::text`, `%${requestId}%`)))
    .orderBy(desc(emailMessages.createdAt))
    .limit(1);
  return String(await unseal(message?.props.claimUrl)).slice(`${baseUrl}/claim/`.length);
}

/** Every mail queued to an address, oldest first. */
export const mailsTo = (db: Database, to: string) => db.select().from(emailMessages).where(eq(emailMessages.to, to)).orderBy(emailMessages.createdAt);

/**
 * A new user's request (a new app, Standard plan, payments unless `slugs` says otherwise) approved by `approver`,
 * with the claim token from the approval email.
 */
export async function approvedRequest(
  ctx: { db: Database; f: Awaited<ReturnType<typeof catalogueFixture>>; approver: Actor; baseUrl: string },
  opts: { startsAt?: Date; durationDays?: number; slugs?: string[] } = {},
) {
  const { db, f, approver, baseUrl } = ctx;
  const u = await f.user();
  for (const slug of opts.slugs ?? ["payments"]) await addToCart(db, u.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
  const req = await submitRequest(
    db,
    { userId: u.id, baseUrl },
    { newAppName: "App", reason: "Because", startsAt: opts.startsAt?.toISOString(), durationDays: opts.durationDays },
    {},
  );
  await decideRequests(db, approver, { requestIds: [req.id], decision: "approve", baseUrl });
  return { user: u, request: req, token: await latestClaimToken(db, req.id, baseUrl) };
}

/**
 * The parts whose copy of their request's status, requester or date (access_request_products.status,
 * requester_id and created_at, kept by drizzle/0031_part_status.sql, 0035 and 0040) is not their
 * request's, across the whole database: none, always.
 */
export async function partsDisagreeing(db: Database) {
  const rows = await db.execute<{ request_id: string; product_id: string; part: string; request: string }>(sql`
    select p.request_id, p.product_id, p.status::text || ' ' || p.requester_id || ' ' || p.created_at::text as part,
      r.status::text || ' ' || r.requester_id || ' ' || r.created_at::text as request
    from access_request_products p join access_requests r on r.id = p.request_id
    where p.status <> r.status or p.requester_id <> r.requester_id or p.created_at <> r.created_at`);
  return [...rows];
}
