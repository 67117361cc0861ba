import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { race } from "@/tests/lock-race";
import { approvedRequest as approvedRequestFor } from "@/tests/requests";
import { claimKey } from "./claim-key";
import { claimOwnCredential } from "./claim-own-key";
import { revokeRequests } from "./key-lifecycle";

/**
 * A requester's claim and an owner's revoke of the same approved request, at the same moment. Both
 * write the request row and its claim link; taken in opposite orders, each held one and waited for
 * the other's, and PostgreSQL ended one with a deadlock (40P01) after a second. Every writer now
 * locks the request first.
 *
 * The interleaving is forced, not hoped for: a third transaction holds the claim link while the
 * claim, then the revoke, start and wait. With the claim locking its link first (as it did), the
 * claim queues on the link, the revoke takes the request and queues on the link behind it, and when
 * the link is let go the two wait for each other: a deadlock every time.
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const owner = userActor(await f.owner());

describe("a claim racing a revoke of the same request", () => {
  for (const way of ["the emailed link", "Generate key on the request page"] as const) {
    it(`by ${way}: the revoke waits for the claim, no deadlock, and the key ends revoked`, { timeout: 30_000 }, async () => {
      const { user, request, token } = await approvedRequestFor({ db: t.db, f, approver: owner, baseUrl });
      const results = await race(t.sql, (s) => s`select 1 from claim_links where request_id = ${request.id} for update`, {
        claim: () =>
          way === "the emailed link"
            ? claimKey(t.db, token, user.id, { prefix })
            : claimOwnCredential(t.db, { kind: "user", id: user.id, role: user.role, disabled: false }, { requestId: request.id }, { prefix }),
        revoke: () => revokeRequests(t.db, owner, { requestIds: [request.id], reason: "Closing the account", baseUrl }),
      });
      expect(results).toEqual({ claim: "ok", revoke: "ok" });
      const [row] = await t.sql<{ status: string; keys: number; live: number }[]>`
        select r.status::text as status,
          (select count(*)::int from api_keys k where k.request_id = r.id) as keys,
          (select count(*)::int from api_keys k where k.request_id = r.id and k.revoked_at is null) as live
        from access_requests r where r.id = ${request.id}`;
      expect(row).toEqual({ status: "revoked", keys: 1, live: 0 });
    });
  }
});
