import { and, eq, inArray, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, auditEvents, emailMessages, products, users } from "@/db/schema";
import { parseQueueParams } from "@/lib/admin/queue-params";
import { queryQueue, queueDetail } from "@/lib/admin/queue-query";
import { type Actor, userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { claimKey } from "@/lib/keys/claim-key";
import { hashSecret } from "@/lib/keys/key-format";
import { checkInRequest, revokeRequests } from "@/lib/keys/key-lifecycle";
import { lookupKey, verifyKey } from "@/lib/keys/verify-key";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest, latestClaimToken, refusal } from "@/tests/requests";
import { decideRequests } from "./decide-requests";
import { ALREADY_ASKED, extendRequest } from "./extend-request";
import { expiryOfRequests, extensionState } from "./extension-queries";
import { submitRequest } from "./submit-request";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const DAY = 86_400_000;
const owner = userActor(await f.owner());
const admin = userActor(await f.user("admin"));
// FX Rates gets its own owner, so a request for Payments + FX Rates needs both owners (or an admin).
const fxOwnerRow = await f.user("owner");
await t.db.update(products).set({ ownerId: fxOwnerRow.id }).where(eq(products.slug, "fx-rates"));
const fxOwner = userActor(fxOwnerRow);

const verify = (key: string) => verifyKey({ key }, (hash) => lookupKey(t.sql, hash), { prefix });

/** A new consumer's Standard (manual) request, approved by `approver` and claimed: its key works. */
async function availableAccess(opts: { slugs?: string[]; durationDays?: number } = {}) {
  const { user, request, token } = await approvedRequest(
    { db: t.db, f, approver: admin, baseUrl },
    opts,
  );
  const { plaintext } = await claimKey(t.db, token, user.id, { prefix });
  return { user, actor: userActor(user), request, plaintext };
}

/** A new consumer's Free (auto-approve) request, claimed. */
async function freeAccess() {
  const user = await f.user();
  await addToCart(t.db, user.id, { productId: f.product("weather").id, planId: f.plan("Free").id });
  const request = await submitRequest(
    t.db,
    { userId: user.id, baseUrl },
    { newAppName: "App", reason: "Because" },
    {},
  );
  const { plaintext } = await claimKey(
    t.db,
    await latestClaimToken(t.db, request.id, baseUrl),
    user.id,
    { prefix },
  );
  return { user, actor: userActor(user), request, plaintext };
}

const currentKey = async (requestId: string) => {
  const [k] = await t.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.requestId, requestId), sql`${apiKeys.endReason} is null`));
  if (!k?.expiresAt) throw new Error("no current key");
  return { ...k, expiresAt: k.expiresAt };
};
const statusOf = async (id: string) =>
  (
    await t.db
      .select({ s: accessRequests.status })
      .from(accessRequests)
      .where(eq(accessRequests.id, id))
  )[0]?.s;
const mails = (template: string, requestId: string) =>
  t.db
    .select()
    .from(emailMessages)
    .where(
      and(
        eq(emailMessages.template, template),
        like(sql`${emailMessages.props}::text`, `%${requestId}%`),
      ),
    );
const ask = (actor: Actor, requestId: string, reason?: string) =>
  extendRequest(t.db, actor, { requestId, reason }, { baseUrl });

describe("extendRequest", () => {
  it("approved by the owner: the same key (same hash) expires a key lifetime later, verify says so, the requester is emailed", async () => {
    const { actor, request, plaintext } = await availableAccess();
    const before = await currentKey(request.id);
    const { extension } = await ask(actor, request.id, "The pilot runs until summer.");
    expect(extension.status).toBe("pending");
    expect(extension.extendsRequestId).toBe(request.id);
    // Approvers hear of it as an extension.
    const [asked] = await t.db
      .select()
      .from(emailMessages)
      .where(
        and(
          eq(emailMessages.template, "new-request"),
          like(sql`${emailMessages.props}::text`, `%${extension.id}%`),
        ),
      );
    expect(JSON.stringify(asked?.props)).toContain('"extension"');

    // The queue marks it as an extension, with the current expiry and the one approving it gives.
    const queued = (
      await queryQueue(t.db, owner, parseQueueParams({ status: "pending" }))
    ).rows.find((r) => r.id === extension.id);
    expect(queued?.extension).toMatchObject({
      extendsRequestId: request.id,
      currentExpiry: before.expiresAt.toISOString(),
    });
    expect(new Date(queued?.extension?.newExpiry ?? 0).getTime()).toBe(
      before.expiresAt.getTime() + 180 * DAY,
    );
    expect((await queueDetail(t.db, owner, extension.id))?.extension?.currentExpiry).toBe(
      before.expiresAt.toISOString(),
    );
    const [outcome] = await decideRequests(t.db, owner, {
      requestIds: [extension.id],
      decision: "approve",
      comment: "Fine",
      baseUrl,
    });
    expect(outcome?.result).toBe("approved");
    const after = await currentKey(request.id);
    expect(after.id).toBe(before.id);
    expect(after.keyHash).toBe(before.keyHash);
    expect(after.keyHash).toBe(hashSecret(plaintext));
    // Standard: 180 days from the current expiry (still in the future).
    expect(after.expiresAt.getTime() - before.expiresAt.getTime()).toBe(180 * DAY);
    expect(await statusOf(request.id)).toBe("available");
    expect(await statusOf(extension.id)).toBe("completed");

    const answer = await verify(plaintext);
    expect(answer.status).toBe(200);
    expect(answer.body.expiresAt).toBe(after.expiresAt.toISOString());

    const [mail] = await mails("extension-approved", request.id);
    expect(mail?.to).toBe(
      (await t.db.select({ e: users.email }).from(users).where(eq(users.id, actor.id)))[0]?.e,
    );
    expect(mail?.subject).toMatch(/^Extended: your key for Payments API now expires on /);
    // No claim link for an extension: nothing new to claim.
    expect(await mails("approved", extension.id)).toHaveLength(0);
    const extended = await t.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.subjectId, request.id), eq(auditEvents.action, "request.extended")),
      );
    expect(extended).toHaveLength(1);
    expect(extended[0]?.actorId).toBe(owner.id);
  });

  it("an auto-approve plan extends at once", async () => {
    const { actor, request, plaintext } = await freeAccess();
    const before = await currentKey(request.id);
    const { extension } = await ask(actor, request.id);
    expect(extension.status).toBe("completed");
    const after = await currentKey(request.id);
    expect(after.keyHash).toBe(before.keyHash);
    expect(after.expiresAt.getTime() - before.expiresAt.getTime()).toBe(30 * DAY);
    expect((await verify(plaintext)).status).toBe(200);
    expect(await mails("extension-approved", request.id)).toHaveLength(1);
    // Not stacked: the key now has more than one extension's length left.
    expect(await refusal(ask(actor, request.id))).toMatch(
      /^conflict: This key expires on .*, more than 30 days away\. Ask for more time from /,
    );
  });

  it("denied: the expiry stays, the requester gets the comment, and may ask again", async () => {
    const { actor, request } = await availableAccess();
    const before = await currentKey(request.id);
    const { extension } = await ask(actor, request.id);
    const [outcome] = await decideRequests(t.db, owner, {
      requestIds: [extension.id],
      decision: "deny",
      comment: "Move to Enterprise.",
      baseUrl,
    });
    expect(outcome?.result).toBe("denied");
    expect((await currentKey(request.id)).expiresAt.getTime()).toBe(before.expiresAt.getTime());
    const [mail] = await mails("extension-denied", request.id);
    expect(mail?.props).toMatchObject({ comment: "Move to Enterprise." });
    expect(await mails("reject", extension.id)).toHaveLength(0);
    expect((await ask(actor, request.id)).extension.status).toBe("pending");
  });

  it("who may ask: only the active requester, for their own working access", async () => {
    const { user, actor, request } = await availableAccess();
    const stranger = userActor(await f.user());
    expect(await refusal(ask(stranger, request.id))).toMatch(/^not_found/);
    expect(await refusal(ask(owner, request.id))).toMatch(/^not_found/);
    expect(await refusal(ask(admin, request.id))).toMatch(/^not_found/);
    const apiKey: Actor = {
      kind: "apiKey",
      id: user.id,
      keyId: "k",
      createdById: admin.id,
      name: "Automation",
      grants: [],
      role: "admin",
      disabled: false,
    };
    expect(await refusal(ask(apiKey, request.id))).toMatch(/^forbidden/);
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
    expect(await refusal(ask(actor, request.id))).toMatch(/^forbidden/);
    expect(
      await t.db
        .select()
        .from(accessRequests)
        .where(eq(accessRequests.extendsRequestId, request.id)),
    ).toHaveLength(0);
  });

  it("who may decide: the same rule as any request; a mixed request needs each product's owner", async () => {
    const { actor, request } = await availableAccess({ slugs: ["payments", "fx-rates"] });
    const before = await currentKey(request.id);
    const { extension } = await ask(actor, request.id);
    const otherOwner = userActor(await f.user("owner"));
    // An owner of none of its products does not see it; the requester never decides their own.
    expect(
      (
        await decideRequests(t.db, otherOwner, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("not-found");
    expect(
      (
        await decideRequests(t.db, actor, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("not-found");
    const disabledAdminRow = await f.user("admin");
    await t.db
      .update(users)
      .set({ disabledAt: new Date() })
      .where(eq(users.id, disabledAdminRow.id));
    const disabledAdmin = userActor({ ...disabledAdminRow, disabledAt: new Date() });
    expect(
      (
        await decideRequests(t.db, disabledAdmin, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("not-found");
    expect(await statusOf(extension.id)).toBe("pending");
    // The FX Rates owner approves their part only: not extended yet.
    expect(
      (
        await decideRequests(t.db, fxOwner, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("approval-recorded");
    expect((await currentKey(request.id)).expiresAt.getTime()).toBe(before.expiresAt.getTime());
    expect(await statusOf(extension.id)).toBe("pending");
    expect(
      (
        await decideRequests(t.db, owner, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("approved");
    expect((await currentKey(request.id)).expiresAt.getTime()).toBe(
      before.expiresAt.getTime() + 180 * DAY,
    );
  });

  it("a plan needing two approvers extends only after the second", async () => {
    const user = await f.user();
    await addToCart(t.db, user.id, {
      productId: f.product("payments").id,
      planId: f.plan("Enterprise").id,
    });
    const request = await submitRequest(
      t.db,
      { userId: user.id, baseUrl },
      { newAppName: "App", reason: "Because" },
      { company: "Acme", environment: "Sandbox" },
    );
    await decideRequests(t.db, owner, { requestIds: [request.id], decision: "approve", baseUrl });
    await decideRequests(t.db, admin, { requestIds: [request.id], decision: "approve", baseUrl });
    await claimKey(t.db, await latestClaimToken(t.db, request.id, baseUrl), user.id, { prefix });
    const before = await currentKey(request.id);
    const { extension } = await ask(userActor(user), request.id);
    expect(
      (
        await decideRequests(t.db, owner, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("approval-recorded");
    expect((await currentKey(request.id)).expiresAt.getTime()).toBe(before.expiresAt.getTime());
    expect(
      (
        await decideRequests(t.db, admin, {
          requestIds: [extension.id],
          decision: "approve",
          baseUrl,
        })
      )[0]?.result,
    ).toBe("approved");
    expect((await currentKey(request.id)).expiresAt.getTime()).toBe(
      before.expiresAt.getTime() + 365 * DAY,
    );
  });

  it("not for access that is not working, nor for keys that never expire, nor for an extension itself", async () => {
    const checkedIn = await availableAccess();
    await checkInRequest(t.db, checkedIn.user.id, checkedIn.request.id);
    expect(await refusal(ask(checkedIn.actor, checkedIn.request.id))).toMatch(
      /^conflict: This request is already completed/,
    );

    const revoked = await availableAccess();
    await revokeRequests(t.db, owner, {
      requestIds: [revoked.request.id],
      reason: "Leaked",
      baseUrl,
    });
    expect(await refusal(ask(revoked.actor, revoked.request.id))).toMatch(
      /^conflict: This request is already revoked/,
    );

    const unclaimed = await approvedRequest({ db: t.db, f, approver: admin, baseUrl });
    expect(await refusal(ask(userActor(unclaimed.user), unclaimed.request.id))).toMatch(
      /^conflict: This request is already approved/,
    );

    const lapsed = await availableAccess();
    await t.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.requestId, lapsed.request.id));
    expect(await refusal(ask(lapsed.actor, lapsed.request.id))).toMatch(
      /^conflict: This key has already expired/,
    );

    const forever = await availableAccess();
    await t.db
      .update(apiKeys)
      .set({ expiresAt: null })
      .where(eq(apiKeys.requestId, forever.request.id));
    expect(await refusal(ask(forever.actor, forever.request.id))).toMatch(
      /^conflict: This access has no key that expires/,
    );

    const { actor, request } = await availableAccess();
    const { extension } = await ask(actor, request.id);
    expect(await refusal(ask(actor, extension.id))).toMatch(
      /^conflict: This is already an extension/,
    );
  });

  it("access revoked while its extension waits: approving it extends nothing and cancels it", async () => {
    const { actor, request } = await availableAccess();
    const { extension } = await ask(actor, request.id);
    await revokeRequests(t.db, owner, { requestIds: [request.id], reason: "Leaked", baseUrl });
    const before = await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id));
    await decideRequests(t.db, owner, { requestIds: [extension.id], decision: "approve", baseUrl });
    expect(await statusOf(extension.id)).toBe("cancelled");
    expect(await t.db.select().from(apiKeys).where(eq(apiKeys.requestId, request.id))).toEqual(
      before,
    );
    expect(await mails("extension-approved", request.id)).toHaveLength(0);
  });

  it("20 concurrent asks: one pending extension, the others hear it is already asked for", async () => {
    const { actor, request } = await availableAccess();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => refusal(ask(actor, request.id))),
    );
    expect(results.filter((r) => r === "no error")).toHaveLength(1);
    expect(results.filter((r) => r === `conflict: ${ALREADY_ASKED}`)).toHaveLength(19);
    const rows = await t.db
      .select()
      .from(accessRequests)
      .where(
        and(
          eq(accessRequests.extendsRequestId, request.id),
          inArray(accessRequests.status, ["pending"]),
        ),
      );
    expect(rows).toHaveLength(1);
  });
  it("what the request page and My requests show: expiry, may ask, the waiting ask, the denial's comment", async () => {
    const { user, actor, request } = await availableAccess();
    const key = await currentKey(request.id);
    expect(await extensionState(t.db, user.id, request.id)).toMatchObject({
      expiresAt: key.expiresAt,
      days: 180,
      mayAsk: true,
      latest: null,
    });
    expect(await extensionState(t.db, (await f.user()).id, request.id)).toBeNull();
    expect((await expiryOfRequests(t.db, [request.id])).get(request.id)).toEqual({
      expiresAt: key.expiresAt,
      extensionPending: false,
    });

    const { extension } = await ask(actor, request.id);
    expect(await extensionState(t.db, user.id, request.id)).toMatchObject({
      mayAsk: false,
      latest: { id: extension.id, status: "pending" },
    });
    expect((await expiryOfRequests(t.db, [request.id])).get(request.id)?.extensionPending).toBe(
      true,
    );

    await decideRequests(t.db, owner, {
      requestIds: [extension.id],
      decision: "deny",
      comment: "Not this year.",
      baseUrl,
    });
    expect(await extensionState(t.db, user.id, request.id)).toMatchObject({
      mayAsk: true,
      latest: { status: "denied", comment: "Not this year." },
    });
  });
});
