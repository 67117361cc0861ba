import { render } from "@react-email/render";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { templates } from "@/emails";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { inspectClaimLink } from "./claim-key";
import { claimOwnCredential } from "./claim-own-key";

/** Generate key on the request page of an OAuth 2.0 product's request: a client, as the emailed link gives. */
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
});
