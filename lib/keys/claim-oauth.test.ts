import { render } from "@react-email/render";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, emailMessages, users } from "@/db/schema";
import { templates } from "@/emails";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { requestEventWords } from "@/lib/requests/event-words";
import { claimCredential, inspectClaimLink } from "./claim-key";
import { claimOwnCredential } from "./claim-own-key";

/**
 * An OAuth 2.0 product's request yields a client, not a key, whichever way it is claimed: the
 * request page's button (claimOwnCredential) or the emailed link (claimCredential).
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const approver = userActor(await f.owner());
const baseUrl = "http://portal.test";

describe("the request page's one-time claim for an OAuth 2.0 product", () => {
  it("creates an OAuth client (no API key), spends the emailed link, and a second try is refused in a client's words", async () => {
    const { user, request, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    const actor = { kind: "user" as const, id: user.id, role: user.role, disabled: false };
    const claimed = await claimOwnCredential(t.db, actor, { requestId: request.id }, { prefix: "ptk" });
    expect(claimed.kind).toBe("oauth_client");
    if (claimed.kind !== "oauth_client") return;
    expect(claimed.clientSecret.length).toBeGreaterThan(20);
    const [row] = await t.sql`select
      (select count(*)::int from api_keys where request_id = ${request.id}) as keys,
      (select count(*)::int from oauth_clients where request_id = ${request.id}) as clients,
      (select status from access_requests where id = ${request.id}) as status`;
    expect(row).toEqual({ keys: 0, clients: 1, status: "available" });
    expect((await inspectClaimLink(t.db, token, user.id)).state).toBe("used");

    const again = await claimOwnCredential(t.db, actor, { requestId: request.id }, { prefix: "ptk" }).catch((e: Error) => e);
    expect(again).toBeInstanceOf(Error);
    expect((again as Error).message).toMatch(/client secret was shown once/);
    expect((again as Error).message).not.toMatch(/\bkey\b/);
  });

  it("the approval email and a new claim link's email speak of an OAuth client, not a key", async () => {
    const { user, request } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    const [mail] = await t.db
      .select({ props: emailMessages.props, subject: emailMessages.subject })
      .from(emailMessages)
      .where(and(eq(emailMessages.to, user.email), eq(emailMessages.template, "approved")));
    expect(mail?.props).toMatchObject({ credential: "client", requestUrl: `${baseUrl}/requests/${request.id}` });
    const text = await render(templates.approved.render({ ...(mail?.props as Parameters<typeof templates.approved.render>[0]) }), { plainText: true });
    expect(text).toContain("Create your OAuth client");
    expect(text).not.toMatch(/Generate|API key/);
    expect(templates["claim-link"].subjectVars({ ...(mail?.props as Parameters<typeof templates.approved.render>[0]) }).credential).toBe("OAuth client");
  });

  it("three request-page claims and the emailed link at once: one client, no key; the losers hear of a client; the timeline says how it was made", async () => {
    for (let round = 0; round < 3; round++) {
      const { user, request, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
      const actor = { kind: "user" as const, id: user.id, role: user.role, disabled: false };
      const results = await Promise.allSettled([
        claimOwnCredential(t.db, actor, { requestId: request.id }, { prefix: "ptk" }),
        claimOwnCredential(t.db, actor, { requestId: request.id }, { prefix: "ptk" }),
        claimOwnCredential(t.db, actor, { requestId: request.id }, { prefix: "ptk" }),
        claimCredential(t.db, token, user.id, { prefix: "ptk" }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof claimCredential>>>).value;
      expect(winner.kind).toBe("oauth_client");
      // The plan's scopes come with the secret, read before the commit.
      if (winner.kind === "oauth_client") expect(winner.scopes).toEqual(["identity:read", "accounts:read"]);
      for (const r of results) if (r.status === "rejected") expect((r.reason as Error).message).not.toMatch(/\bkey\b/);
      const [row] = await t.sql`select
        (select count(*)::int from api_keys where request_id = ${request.id}) as keys,
        (select count(*)::int from oauth_clients where request_id = ${request.id}) as clients,
        (select count(*)::int from audit_events where action = 'oauth_client.created' and data->>'requestId' = ${request.id}) as created`;
      expect(row).toEqual({ keys: 0, clients: 1, created: 1 });
      const [event] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "request.available"), eq(auditEvents.subjectId, request.id)));
      const data = event?.data as { via?: string; credential?: string };
      expect(data.credential).toBe("oauth_client");
      expect(requestEventWords("request.available", data.via, data.credential)).toMatch(/^OAuth client (created on the request page|claimed from the email link)$/);
    }
  });

  it("the product's owner, an admin, another consumer and the requester once disabled create nothing", async () => {
    const { user, request } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    const owner = await f.owner();
    const admin = await f.user("admin");
    const other = await f.user();
    for (const u of [owner, admin, other]) {
      const refused = await claimOwnCredential(t.db, { kind: "user", id: u.id, role: u.role, disabled: false }, { requestId: request.id }, { prefix: "ptk" }).catch((e: Error) => e);
      expect((refused as Error).message).toMatch(/not found/);
    }
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
    const refused = await claimOwnCredential(t.db, { kind: "user", id: user.id, role: user.role, disabled: false }, { requestId: request.id }, { prefix: "ptk" }).catch((e: Error) => e);
    expect(refused).toMatchObject({ code: "forbidden" });
    const [row] = await t.sql`select count(*)::int as n from oauth_clients where request_id = ${request.id}`;
    expect(row?.n).toBe(0);
  });
  it("the emailed link claimed twice: refused in a client's words (no key, no Generate key), and a stranger hears nothing of which it is", async () => {
    const { user, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    expect((await claimCredential(t.db, token, user.id, { prefix: "ptk" })).kind).toBe("oauth_client");
    const again = await claimCredential(t.db, token, user.id, { prefix: "ptk" }).catch((e: Error) => e);
    expect(again).toBeInstanceOf(Error);
    expect((again as Error).message).toMatch(/client secret was shown once/);
    expect((again as Error).message).not.toMatch(/\bkey\b/);
    const stranger = await f.user();
    const foreign = await claimCredential(t.db, token, stranger.id, { prefix: "ptk" }).catch((e: Error) => e);
    expect((foreign as Error).message).toBe("This claim link was sent to another account. Sign out, then sign in with the email address the link was sent to.");
  });
});
