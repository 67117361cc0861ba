import { and, eq, isNotNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys } from "@/db/schema";
import { deleteApp } from "@/lib/apps/delete-app";
import { userActor } from "@/lib/auth/permissions";
import { claimKey } from "@/lib/keys/claim-key";
import { rollKey } from "@/lib/keys/key-lifecycle";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest, refusal } from "@/tests/requests";
import { extendRequest } from "./extend-request";

// Second adversarial review (issue 16): Extend on access whose app was deleted.
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const admin = userActor(await f.user("admin"));

describe("extendRequest: a deleted app", () => {
  it("is refused (its key no longer verifies): no extension waits in the approvers' queue", async () => {
    const { user, request, token } = await approvedRequest({ db: t.db, f, approver: admin, baseUrl });
    await claimKey(t.db, token, user.id, { prefix: "ptk" });
    await deleteApp(t.db, user.id, request.appId);
    expect(await refusal(extendRequest(t.db, userActor(user), { requestId: request.id }, { baseUrl }))).toMatch(/^conflict: .*app .*was deleted/i);
    const waiting = await t.db.select().from(accessRequests).where(and(eq(accessRequests.extendsRequestId, request.id), isNotNull(accessRequests.id)));
    expect(waiting).toEqual([]);
  });
});

describe("rollKey: a deleted app", () => {
  it("is refused: no new secret is minted for a key verify refuses, and the old key is left as it was", async () => {
    const { user, request, token } = await approvedRequest({ db: t.db, f, approver: admin, baseUrl });
    const { key } = await claimKey(t.db, token, user.id, { prefix: "ptk" });
    await deleteApp(t.db, user.id, request.appId);
    expect(await refusal(rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix: "ptk", graceHours: 0, baseUrl }))).toMatch(/^conflict: .*app .*was deleted/i);
    expect(await t.db.$count(apiKeys, eq(apiKeys.requestId, request.id))).toBe(1);
  });
});
