import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { products } from "@/db/schema";
import { updateApiAccessKey } from "@/lib/api-access/manage";
import { userActor } from "@/lib/auth/permissions";
import { claimKey } from "@/lib/keys/claim-key";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { withoutWrites } from "@/tests/table-snapshot";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

/** A call that must not crash: a thrown error (the harness's contract check on a 500) becomes status 500. */
/** A key whose first call (which stamps last_used_at) is behind it, so withoutWrites sees only the call under test. */
async function warmToken(roles: Parameters<typeof api.token>[0]) {
  const made = await api.token(roles);
  await api.call(made.token, "GET", "/products?limit=1");
  return made;
}

const safely = (p: Promise<{ status: number; body: Record<string, unknown> }>) =>
  p.catch((e: unknown) => ({ status: 500, body: { thrown: String(e) } as Record<string, unknown> }));

describe("adversary (operations): dates out of range are a 4xx, never a 500", () => {
  // HOLE: access-requests.ts listAccessRequests: `createdFrom=0000-01-01` is a valid z.iso.date but year 0 does not exist in Postgres (date/time field value out of range): 500
  it("listAccessRequests createdFrom=0000-01-01 is a 200 or 422", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    const r = await safely(api.call(token, "GET", "/access-requests?createdFrom=0000-01-01"));
    expect([200, 422]).toContain(r.status);
  });

  // HOLE: access-requests.ts listAccessRequests: `createdTo=9999-12-31` + 1 day is year 10000, which postgres.js sends as "+010000-…" and Postgres rejects: 500
  it("listAccessRequests createdTo=9999-12-31 is a 200 or 422", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    const r = await safely(api.call(token, "GET", "/access-requests?createdTo=9999-12-31"));
    expect([200, 422]).toContain(r.status);
  });

  // HOLE: audit.ts listAuditEvents: `from=0000-01-01` reaches Postgres as year 0: 500
  it("listAuditEvents from=0000-01-01 / to=9999-12-31 is a 200 or 422", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    const a = await safely(api.call(token, "GET", "/audit-events?from=0000-01-01"));
    const b = await safely(api.call(token, "GET", "/audit-events?to=9999-12-31"));
    expect([200, 422]).toContain(a.status);
    expect([200, 422]).toContain(b.status);
  });

  // (control: checked, not a hole) the cart's start rules already refuse a startsAt in year 0 or 9999 with a 422
  it("(control) createAccessRequest startsAt=0000-01-01 or 9999-12-31 is a 422, nothing written", async () => {
    const { token } = await warmToken([{ role: "portal_admin" }]);
    const consumer = await f.user();
    for (const startsAt of ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]) {
      const r = await withoutWrites(t.sql, () =>
        safely(
          api.call(token, "POST", "/access-requests", {
            consumerEmail: consumer.email,
            newAppName: `App ${startsAt}`,
            productIds: [f.product("payments").id],
            planId: f.plan("Standard").id,
            reason: "Because",
            startsAt,
          }),
        ),
      );
      expect((r as { status: number }).status, startsAt).toBe(422);
    }
  });

  // (control: checked, not a hole) a NUL in a field answer is refused by the plan's field rules with a 422
  it("(control) createAccessRequest with a NUL in a field answer is a 422, nothing written", async () => {
    const { token } = await warmToken([{ role: "portal_admin" }]);
    const consumer = await f.user();
    const r = await withoutWrites(t.sql, () =>
      safely(
        api.call(token, "POST", "/access-requests", {
          consumerEmail: consumer.email,
          newAppName: "NUL app",
          productIds: [f.product("payments").id],
          planId: f.plan("Standard").id,
          reason: "Because",
          fields: { useCase: "a\u0000b" },
        }),
      ),
    );
    expect((r as { status: number }).status).toBe(422);
  });
});

describe("adversary (operations): forged keyset cursors are a 422, never a 500", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  // HOLE: keyset.ts decodeKeyset checks a time cursor's text by regex only: 30 February, year 0 or an offset of +99 pass it and Postgres' ::timestamptz cast fails (500) on /apps, /users and /audit-events
  it("a time cursor with an impossible date, year 0 or offset +99 is a 422 on /apps, /users, /audit-events", async () => {
    const { token } = await api.token([{ role: "portal_viewer" }]);
    for (const v of ["2026-02-31 00:00:00+00", "0000-01-01 00:00:00+00", "2026-01-01 00:00:00+99"]) {
      for (const [path, id] of [["/apps", "x"], ["/users", "x"], ["/audit-events", 5]] as const) {
        const r = await safely(api.call(token, "GET", `${path}?cursor=${b64({ v, id })}`));
        expect(r.status, `${path} ${v}`).toBe(422);
      }
    }
  });
});

describe("adversary (operations): a Product approver for A learns nothing of other products", () => {
  // HOLE: access-requests.ts createAccessRequest reads product names WITHOUT scope for its 403: a Product approver for Payments sending the id of the DRAFT Ledger product hears "Product approver for Ledger API (beta)" while an unknown id is a 422: existence and name of a product it may not read
  it("createAccessRequest for a product outside the key's read scope answers like an unknown id, without its name", async () => {
    const { token } = await api.token([{ role: "product_approver", products: [f.product("payments").id] }]);
    const consumer = await f.user();
    const body = (productId: string) => ({ consumerEmail: consumer.email, newAppName: "Probe", productIds: [productId], planId: f.plan("Standard").id, reason: "Because" });
    const draft = await api.call(token, "POST", "/access-requests", body(f.product("ledger-beta").id));
    const unknown = await api.call(token, "POST", "/access-requests", body("00000000-0000-4000-8000-000000000000"));
    expect(JSON.stringify(draft.body)).not.toContain("Ledger");
    expect(draft.status).toBe(unknown.status);
  });

  // HOLE: access-requests.ts assertMayDecide reads a request's parts WITHOUT scope for its 403: a Product approver for Payments approving (denying, revoking) the id of a request for a product since ARCHIVED hears "Product approver for Routing API" while GET of the same id is a 404: the request exists and the unlisted product's name leaks
  it("approve/deny/revoke of a request only for an archived product outside the key's scope answers like GET (404), without its name", async () => {
    const { token: adminToken } = await warmToken([{ role: "portal_admin" }]);
    const consumer = await f.user();
    const made = await api.call(adminToken, "POST", "/access-requests", {
      consumerEmail: consumer.email,
      newAppName: "Routing app",
      productIds: [f.product("routing").id],
      planId: f.plan("Standard").id,
      reason: "Because",
    });
    expect(made.status).toBe(201);
    await t.db.update(products).set({ status: "archived" }).where(eq(products.id, f.product("routing").id));
    const { token } = await warmToken([{ role: "product_approver", products: [f.product("payments").id] }]);
    const id = String(made.body.id);
    expect((await api.call(token, "GET", `/access-requests/${id}`)).status).toBe(404);
    for (const [path, body] of [["approve", {}], ["deny", { comment: "no" }], ["revoke", { reason: "leak" }]] as const) {
      const r = (await withoutWrites(t.sql, () => api.call(token, "POST", `/access-requests/${id}/${path}`, body))) as { status: number; body: unknown };
      expect(JSON.stringify(r.body), path).not.toContain("Routing");
      expect(r.status, path).toBe(404);
    }
    await t.db.update(products).set({ status: "published" }).where(eq(products.id, f.product("routing").id));
  });
});

describe("adversary (operations): an unknown id and a hidden one answer alike", () => {
  // HOLE: approve/deny/revoke say "No access request with this id." for an unknown id but "… in this key's scope." (GET's words) for one the key cannot see; revokeKey says "No key with this id." for an unknown key but names the request's scope (or, before, its product) for a hidden one: the wording tells which ids exist
  it("approve and revokeKey answer an unknown id and the id of a request/key the key cannot see with the same problem", async () => {
    const { request, user, token: claim } = await approvedRequest({ db: t.db, f, approver: userActor(await f.owner()), baseUrl: API_BASE_URL }, { slugs: ["notifications"] });
    const { key } = await claimKey(t.db, claim, user.id, { prefix: "ptk" });
    await t.db.update(products).set({ status: "archived" }).where(eq(products.id, f.product("notifications").id));
    const { token } = await warmToken([{ role: "product_approver", products: [f.product("payments").id] }]);
    const unknown = "00000000-0000-4000-8000-000000000000";
    const hiddenApprove = await api.call(token, "POST", `/access-requests/${request.id}/approve`, {});
    const unknownApprove = await api.call(token, "POST", `/access-requests/${unknown}/approve`, {});
    expect(hiddenApprove).toMatchObject({ status: unknownApprove.status, body: { detail: unknownApprove.body.detail } });
    const hiddenRevoke = await api.call(token, "POST", `/keys/${key.id}/revoke`, { reason: "leak" });
    const unknownRevoke = await api.call(token, "POST", `/keys/${unknown}/revoke`, { reason: "leak" });
    expect(hiddenRevoke).toMatchObject({ status: unknownRevoke.status, body: { detail: unknownRevoke.body.detail } });
    await t.db.update(products).set({ status: "published" }).where(eq(products.id, f.product("notifications").id));
  });
});

describe("adversary (operations): Idempotency-Key replays", () => {
  // HOLE: router.ts replays a stored answer after only the role check: a key edited from Product approver for Payments to Product approver for Invoices still gets the Payments request (consumer's email, fields) back by replaying the Idempotency-Key of its create
  it("a replay after the key lost the product's scope does not return the request", async () => {
    const { token, key, admin } = await api.token([{ role: "product_approver", products: [f.product("payments").id] }]);
    const consumer = await f.user();
    const body = { consumerEmail: consumer.email, newAppName: "Replay app", productIds: [f.product("payments").id], planId: f.plan("Standard").id, reason: "Because" };
    const first = await api.call(token, "POST", "/access-requests", body, { "Idempotency-Key": "replay-1" });
    expect(first.status).toBe(201);
    await updateApiAccessKey(t.db, userActor(admin), { keyId: key.id, roles: [{ role: "product_approver", products: [f.product("invoices").id] }] });
    const replay = await api.call(token, "POST", "/access-requests", body, { "Idempotency-Key": "replay-1" });
    expect(JSON.stringify(replay.body)).not.toContain(consumer.email);
  });
});

describe("adversary (operations): four eyes", () => {
  // HOLE: permissions.ts can("request.decide") refuses `requesterId === actor.id` only; a key's actor is its service user, so an admin requests access for themself (through the API, or their cart) and approves it with the key they created: the self-approval the pages refuse ("You requested this access: another approver decides.")
  it("a key cannot approve a request of the admin who created it", async () => {
    const { token, admin } = await warmToken([{ role: "portal_admin" }]);
    const made = await api.call(token, "POST", "/access-requests", {
      consumerEmail: admin.email,
      newAppName: "My own app",
      productIds: [f.product("payments").id],
      planId: f.plan("Standard").id,
      reason: "For me",
    });
    expect(made.status).toBe(201);
    const r = (await withoutWrites(t.sql, () => api.call(token, "POST", `/access-requests/${String(made.body.id)}/approve`, {}))) as { status: number };
    expect(r.status).toBe(403);
  });
});
