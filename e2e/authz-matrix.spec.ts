import { randomBytes } from "node:crypto";
import { type APIRequestContext, expect, type PlaywrightWorkerArgs, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, productPlans, products, users } from "../db/schema";
import { callAction } from "./actions";
import { type SignedIn, signedInUser } from "./actors";
import { e2eDb } from "./db";
import { changedRows, snapshotAll } from "./db-snapshot";
import { BASE_URL, claimTokenOf, rememberSecret } from "./keys-helpers";

/**
 * The HTTP authorization matrix (issue 12): every server action and route, called over HTTP the way
 * a browser calls it, by each kind of actor. A refused call must answer without "ok" and leave every
 * public table row for row as it was; an allowed call must have its effect. The near misses (an owner
 * of one product of a mixed request, the requester deciding their own request, a reviewer reviewing
 * their own decision, a disabled admin) are the cases the older specs could not see.
 *
 * Each actor is a new user, signed in once (e2e/actors.ts); its cookie is reused.
 */

const conn = e2eDb();

const ACTORS = {
  consumer: "consumer",
  "owner of none": "owner",
  "owner A": "owner",
  "owner B": "owner",
  requester: "consumer",
  "requester (admin)": "admin",
  admin: "admin",
  "second admin": "admin",
  "disabled admin": "admin",
} as const;
type Who = keyof typeof ACTORS | "anonymous";

/** A server action, the page its form is on, and the roles its wrapper lets through (all, if absent). */
type Act = { file: string; name: string; page: string; roles?: readonly string[] };
const APPROVERS = ["owner", "admin"] as const;
const ADMINS = ["admin"] as const;
const requestsFile = "app/(consumer)/requests/actions.ts";
const A = {
  addToCart: { file: "app/(consumer)/cart/actions.ts", name: "addToCartAction", page: "/apis/<slug>" },
  submit: { file: "app/(consumer)/cart/actions.ts", name: "submitRequestAction", page: "/cart" },
  decide: { file: "app/admin/requests/actions.ts", name: "decideAction", page: "/admin/requests", roles: APPROVERS },
  columns: { file: "app/admin/requests/actions.ts", name: "saveQueueColumnsAction", page: "/admin/requests", roles: APPROVERS },
  review: { file: "app/admin/reviews/actions.ts", name: "markReviewedAction", page: "/admin/reviews", roles: APPROVERS },
  revoke: { file: "app/admin/keys/actions.ts", name: "revokeAction", page: "/admin/keys", roles: APPROVERS },
  role: { file: "app/admin/users/actions.ts", name: "changeRoleAction", page: "/admin/users", roles: ADMINS },
  disable: { file: "app/admin/users/actions.ts", name: "setDisabledAction", page: "/admin/users", roles: ADMINS },
  subject: { file: "app/admin/settings/emails/actions.ts", name: "saveSubjectAction", page: "/admin/settings/emails", roles: ADMINS },
  retry: { file: "app/admin/settings/emails/actions.ts", name: "retryMessageAction", page: "/admin/emails", roles: ADMINS },
  updateProduct: { file: "app/admin/products/actions.ts", name: "updateProductAction", page: "/admin/products", roles: APPROVERS },
  productStatus: { file: "app/admin/products/actions.ts", name: "changeProductStatusAction", page: "/admin/products", roles: APPROVERS },
  createPlan: { file: "app/admin/plans/actions.ts", name: "createPlanAction", page: "/admin/plans", roles: APPROVERS },
  updatePlan: { file: "app/admin/plans/actions.ts", name: "updatePlanAction", page: "/admin/plans", roles: APPROVERS },
  cancel: { file: requestsFile, name: "cancelRequestAction", page: "/requests" },
  remove: { file: requestsFile, name: "removeRequestAction", page: "/requests" },
  resubmit: { file: requestsFile, name: "resubmitRequestAction", page: "/requests" },
  roll: { file: requestsFile, name: "rollKeyAction", page: "/requests" },
  checkIn: { file: requestsFile, name: "checkInAction", page: "/requests" },
  resend: { file: requestsFile, name: "resendClaimLinkAction", page: "/requests" },
  createApp: { file: "app/(consumer)/apps/actions.ts", name: "createAppAction", page: "/apps" },
  mergeCart: { file: "app/(consumer)/cart/actions.ts", name: "mergeCartAction", page: "/cart" },
  createProduct: { file: "app/admin/products/actions.ts", name: "createProductAction", page: "/admin/products/new", roles: APPROVERS },
  updateApp: { file: "app/(consumer)/apps/actions.ts", name: "updateAppAction", page: "/apps" },
  deleteApp: { file: "app/(consumer)/apps/actions.ts", name: "deleteAppAction", page: "/apps" },
  claim: { file: "app/claim/[token]/actions.ts", name: "claimKeyAction", page: "/claim" },
  addApiKey: { file: "app/admin/api-keys/actions.ts", name: "addApiKeyAction", page: "/admin/api-keys/new", roles: ADMINS },
  editApiKey: { file: "app/admin/api-keys/actions.ts", name: "editApiKeyAction", page: "/admin/api-keys", roles: ADMINS },
  removeApiKey: { file: "app/admin/api-keys/actions.ts", name: "removeApiKeyAction", page: "/admin/api-keys", roles: ADMINS },
} satisfies Record<string, Act>;

const SIGNED_OUT = /Your session has ended/;
const NOT_AN_APPROVER = /Your role does not allow/;

type Fields = Record<string, string>;
type Case = {
  who: Who;
  act: Act;
  fields: Fields | (() => Promise<Fields>);
  /** Where the form lives (defaults to the action's page). */
  page?: string;
  /** Allowed: the answer is ok and this holds afterwards. Without it the call must be refused. */
  allowed?: () => Promise<void>;
  /** For a refusal: what the answer must say (anonymous and disabled actors: signed out). */
  says?: RegExp;
};

let world: {
  tag: string;
  actors: Record<keyof typeof ACTORS, SignedIn>;
  pa: { id: string; slug: string };
  pb: { id: string; slug: string };
  onePlan: string;
  twoPlan: string;
  playwright: PlaywrightWorkerArgs["playwright"];
};
let apps = 0;

const cookieOf = (who: Who) => (who === "anonymous" ? undefined : world.actors[who].cookie);
const idOf = (who: keyof typeof ACTORS) => world.actors[who].id;

/**
 * A fresh request context per call: a context keeps the cookies its answers set (a signed-out
 * cart, say) and would send them with the next actor's call.
 */
async function fresh<T>(use: (api: APIRequestContext) => Promise<T>) {
  const api = await world.playwright.request.newContext({ baseURL: BASE_URL });
  try {
    return await use(api);
  } finally {
    await api.dispose();
  }
}

async function call(who: Who, act: Act, fields: Fields, page = act.page) {
  return fresh((api) => callAction(api, { ...act, page, fields, cookie: cookieOf(who) }));
}

/** A GET as this actor: status and body. */
async function get(who: Who, path: string) {
  return fresh(async (api) => {
    const res = await api.get(path, { headers: cookieOf(who) ? { Cookie: cookieOf(who) ?? "" } : {}, maxRedirects: 0 });
    return { status: res.status(), text: await res.text() };
  });
}

/** Runs a table of cases; every failing cell is reported (soft), so one run lists them all. */
async function run(cases: Case[]) {
  for (const c of cases) {
    const fields = typeof c.fields === "function" ? await c.fields() : c.fields;
    const what = fields.decision ?? fields.change ?? "";
    const label = `${c.act.name}${what ? ` ${what}` : ""} as ${c.who}`;
    const before = await snapshotAll(conn);
    const res = await call(c.who, c.act, fields, c.page);
    expect.soft(res.status, label).toBeLessThan(500);
    if (c.allowed) {
      expect.soft(res.text, `${label}: allowed`).toContain('"ok":true');
      await c.allowed();
      continue;
    }
    // The action ran and answered no ("Server Action unavailable" or a crash is not a refusal).
    expect.soft(res.text, `${label}: refused`).toContain('"ok":false');
    const says = c.says ?? expectedRefusal(c.who, c.act);
    if (says) expect.soft(res.text, `${label}: says why`).toMatch(says);
    expect.soft(await changedRows(conn, before, await snapshotAll(conn)), `${label}: every table unchanged`).toEqual({});
  }
}

/** What the one action wrapper answers before any domain code runs, where it decides alone. */
function expectedRefusal(who: Who, act: Act) {
  if (who === "anonymous" || who === "disabled admin") return SIGNED_OUT;
  if (act.roles && !act.roles.includes(ACTORS[who])) return NOT_AN_APPROVER;
  return undefined;
}

/** The same refused call for each of these actors. */
const refusedFor = (whos: Who[], act: Act, fields: Case["fields"], extra: Partial<Case> = {}): Case[] =>
  whos.map((who) => ({ who, act, fields, ...extra }));

/** Puts products in the actor's cart and submits it through the cart form's action. */
async function submit(who: keyof typeof ACTORS, items: { id: string; slug: string }[], planId: string) {
  for (const product of items) {
    const added = await call(who, A.addToCart, { productId: product.id, planId }, `/apis/${product.slug}`);
    expect(added.text, `add to cart as ${who}`).toContain('"ok":true');
  }
  const appName = `Matrix app ${world.tag} ${++apps}`;
  const res = await call(who, A.submit, { appId: "", newAppName: appName, reason: "Authorization matrix" });
  expect(res.status).toBeLessThan(500);
  const [row] = await conn.sql<{ id: string; app_id: string }[]>`
    select r.id, r.app_id from access_requests r join apps a on a.id = r.app_id
    where a.name = ${appName} and r.requester_id = ${idOf(who)}`;
  if (!row) throw new Error(`no request submitted as ${who}: ${res.text.slice(0, 300)}`);
  return { id: row.id, appId: row.app_id };
}

/** Status, approvers and, per product, who approved or revoked that part (columns read by name, so absent ones are null). */
async function state(requestId: string) {
  const [r] = await conn.sql<{ status: string }[]>`select status from access_requests where id = ${requestId}`;
  const parts = await conn.sql<{ product_id: string; approved_by: string | null; revoked_at: string | null }[]>`
    select product_id, to_jsonb(p)->>'approved_by_id' as approved_by, to_jsonb(p)->>'revoked_at' as revoked_at
    from access_request_products p where request_id = ${requestId}`;
  const approvers = await conn.sql<{ approver_id: string }[]>`select approver_id from request_approvals where request_id = ${requestId}`;
  const part = (productId: string) => parts.find((p) => p.product_id === productId);
  return { status: r?.status, part, approvers: approvers.map((a) => a.approver_id).sort() };
}

/** The request's newest review (marked or not: a wrongly allowed earlier cell must not stop the table). */
async function reviewOf(requestId: string) {
  const [r] = await conn.sql<{ id: string }[]>`select id from reviews where request_id = ${requestId} order by created_at desc limit 1`;
  if (!r) throw new Error(`no review of ${requestId}`);
  return r.id;
}

const claimToken = (requestId: string) => claimTokenOf(conn, requestId);

/** The requester claims the key through the claim page's action; returns the plaintext key. */
async function claim(requestId: string) {
  const token = await claimToken(requestId);
  const res = await call("requester", A.claim, { token }, `/claim/${token}`);
  const key = /ptk_[0-9A-Za-z]{49}/.exec(res.text)?.[0];
  if (!key) throw new Error(`no key revealed: ${res.text.slice(0, 300)}`);
  rememberSecret(key);
  return key;
}

const verify = (key: string, slug: string) =>
  fresh(async (api) => (await api.get(`/api/v1/keys/verify?product=${slug}`, { headers: { "X-API-Key": key } })).status());

const approve = (id: string) => ({ requestIds: id, decision: "approve", comment: "" });
const deny = (id: string) => ({ requestIds: id, decision: "deny", comment: "Not this time" });
const revoke = (id: string) => ({ requestId: id, reason: "Authorization matrix" });
const review = (requestId: string) => async () => ({ reviewIds: await reviewOf(requestId), comment: "Looked at it" });

/** Refused for everyone with no say over either product of the mixed requests. */
const OUTSIDERS: Who[] = ["anonymous", "consumer", "owner of none", "requester", "disabled admin"];

test.beforeAll(async ({ browser, playwright }) => {
  test.setTimeout(180_000);
  const tag = randomBytes(3).toString("hex");
  const actors = {} as Record<keyof typeof ACTORS, SignedIn>;
  for (const [who, role] of Object.entries(ACTORS) as [keyof typeof ACTORS, (typeof ACTORS)[keyof typeof ACTORS]][]) {
    actors[who] = await signedInUser(conn, browser, role, `matrix-${who.toLowerCase().replace(/\W+/g, "-")}-${tag}@example.com`);
  }
  // Two shared (admin-managed) plans that both owners' products offer, so one cart mixes them.
  const [onePlan] = await conn.db.insert(plans).values({ name: `Matrix one approval ${tag}`, approvalsRequired: 1, reviewRequired: true }).returning();
  const [twoPlan] = await conn.db.insert(plans).values({ name: `Matrix two approvals ${tag}`, approvalsRequired: 2 }).returning();
  if (!onePlan || !twoPlan) throw new Error("plans");
  const product = async (owner: SignedIn, letter: string) => {
    const [p] = await conn.db
      .insert(products)
      .values({ slug: `matrix-${letter}-${tag}`, name: `Matrix ${letter.toUpperCase()} ${tag}`, ownerId: owner.id, status: "draft" })
      .returning();
    if (!p) throw new Error("product");
    await conn.db.insert(productPlans).values([
      { productId: p.id, planId: onePlan.id },
      { productId: p.id, planId: twoPlan.id },
    ]);
    return { id: p.id, slug: p.slug };
  };
  world = { tag, actors, pa: await product(actors["owner A"], "a"), pb: await product(actors["owner B"], "b"), onePlan: onePlan.id, twoPlan: twoPlan.id, playwright };
  // Each owner publishes their own product through the product page's action (the catalogue's cache follows).
  expect((await call("owner A", A.productStatus, { id: world.pa.id, change: "publish" })).text).toContain('"ok":true');
  expect((await call("owner B", A.productStatus, { id: world.pb.id, change: "publish" })).text).toContain('"ok":true');
  // An admin disables the disabled admin after they signed in: their cookie is still sent.
  expect((await call("admin", A.disable, { userId: actors["disabled admin"].id, disabled: "true" })).text).toContain('"ok":true');
});

test.afterAll(async () => {
  // Leave the catalogue as the other specs expect it.
  if (world) {
    await call("owner A", A.productStatus, { id: world.pa.id, change: "unpublish" });
    await call("owner B", A.productStatus, { id: world.pb.id, change: "unpublish" });
  }
  await conn.sql.end();
});

test("decide a request mixing two owners' products: each owner approves only their part, the co-owner's approval completes it", async () => {
  test.setTimeout(120_000);
  const { pa, pb, onePlan } = world;
  const mixed = await submit("requester", [pa, pb], onePlan);
  const toDeny = await submit("requester", [pa, pb], onePlan);
  await run([
    ...refusedFor(OUTSIDERS, A.decide, approve(mixed.id)),
    {
      who: "owner A",
      act: A.decide,
      fields: approve(mixed.id),
      allowed: async () => {
        const s = await state(mixed.id);
        expect.soft(s.status, "owner A's approval alone leaves the mixed request pending").toBe("pending");
        expect.soft(s.part(pa.id)?.approved_by, "owner A's part is approved by owner A").toBe(idOf("owner A"));
        expect.soft(s.part(pb.id)?.approved_by ?? null, "owner B's part still waits").toBeNull();
        const links = await conn.sql`select 1 from claim_links where request_id = ${mixed.id}`;
        expect.soft(links.length, "no claim link is sent while a part waits").toBe(0);
      },
    },
    {
      who: "owner B",
      act: A.decide,
      fields: approve(mixed.id),
      allowed: async () => {
        const s = await state(mixed.id);
        expect.soft(s.status, "the co-owner's approval completes the request").toBe("approved");
        expect.soft(s.part(pb.id)?.approved_by, "owner B's part is approved by owner B").toBe(idOf("owner B"));
      },
    },
    ...refusedFor(OUTSIDERS, A.decide, deny(toDeny.id)),
    {
      who: "owner A",
      act: A.decide,
      fields: deny(toDeny.id),
      allowed: async () => expect.soft((await state(toDeny.id)).status, "any part's owner may deny the whole request").toBe("denied"),
    },
  ]);

  // Seeing it: outside an owner's products the queue answers as for an unknown id.
  const panel = async (who: Who) => (await get(who, `/admin/requests?status=all&open=${mixed.id}`)).text;
  expect.soft(await panel("owner of none")).toContain("This request does not exist or is not for your products.");
  expect.soft(await panel("owner B")).not.toContain("This request does not exist or is not for your products.");
});

test("the requester never decides their own request, as admin, as the product's owner, or as a plan's second approver", async () => {
  test.setTimeout(120_000);
  const { pa, onePlan, twoPlan } = world;
  // Approve and deny each get their own request, so a wrongly allowed one cannot hide the other.
  const asAdmin = await submit("requester (admin)", [pa], onePlan);
  const asAdminToDeny = await submit("requester (admin)", [pa], onePlan);
  const asOwner = await submit("owner A", [pa], onePlan);
  const asOwnerToDeny = await submit("owner A", [pa], onePlan);
  const twoApprovals = await submit("requester (admin)", [pa], twoPlan);
  // Reviews of the requester's own requests, each approved by an admin: one per refused reviewer.
  const reviewedByRequester = await submit("requester (admin)", [pa], onePlan);
  const reviewedByDecider = await submit("requester (admin)", [pa], onePlan);
  await run([
    { who: "requester (admin)", act: A.decide, fields: approve(asAdmin.id) },
    { who: "requester (admin)", act: A.decide, fields: deny(asAdminToDeny.id) },
    { who: "owner A", act: A.decide, fields: approve(asOwner.id) },
    { who: "owner A", act: A.decide, fields: deny(asOwnerToDeny.id) },
    {
      who: "admin",
      act: A.decide,
      fields: approve(asOwner.id),
      allowed: async () => expect.soft((await state(asOwner.id)).status, "someone else approves the owner's own request").toBe("approved"),
    },
    {
      who: "owner A",
      act: A.decide,
      fields: approve(twoApprovals.id),
      allowed: async () => {
        const s = await state(twoApprovals.id);
        expect.soft(s.status, "one approval of two").toBe("pending");
        expect.soft(s.approvers).toEqual([idOf("owner A")]);
      },
    },
    // As the second approver: the two distinct approvers exclude the requester.
    { who: "requester (admin)", act: A.decide, fields: approve(twoApprovals.id) },
    {
      who: "admin",
      act: A.decide,
      fields: approve(twoApprovals.id),
      allowed: async () => {
        const s = await state(twoApprovals.id);
        expect.soft(s.status, "two approvers other than the requester approve it").toBe("approved");
        expect.soft(s.approvers).toEqual([idOf("owner A"), idOf("admin")].sort());
      },
    },
    {
      who: "admin",
      act: A.decide,
      fields: approve(asAdmin.id),
      allowed: async () => expect.soft((await state(asAdmin.id)).status, "another admin approves the admin's own request").toBe("approved"),
    },
    { who: "requester (admin)", act: A.revoke, fields: revoke(asAdmin.id) },
    ...[reviewedByRequester, reviewedByDecider].map((r) => ({
      who: "admin" as const,
      act: A.decide,
      fields: approve(r.id),
      allowed: async () => expect.soft((await state(r.id)).status).toBe("approved"),
    })),
    { who: "requester (admin)", act: A.review, fields: review(reviewedByRequester.id) },
    // The admin approved it: someone else reviews that decision.
    { who: "admin", act: A.review, fields: review(reviewedByDecider.id) },
    {
      who: "second admin",
      act: A.review,
      fields: review(reviewedByDecider.id),
      allowed: async () => {
        const [r] = await conn.sql`select reviewed_by_id from reviews where request_id = ${reviewedByDecider.id}`;
        expect.soft(r?.reviewed_by_id).toBe(idOf("second admin"));
      },
    },
  ]);
});

test("revoke a mixed request: each owner revokes only their part and the key stops for that product only", async () => {
  test.setTimeout(120_000);
  const { pa, pb, onePlan } = world;
  const mixed = await submit("requester", [pa, pb], onePlan);
  const unclaimed = await submit("requester", [pa, pb], onePlan);
  await run([
    { who: "admin", act: A.decide, fields: approve(mixed.id), allowed: async () => expect.soft((await state(mixed.id)).status).toBe("approved") },
    { who: "admin", act: A.decide, fields: approve(unclaimed.id), allowed: async () => expect.soft((await state(unclaimed.id)).status).toBe("approved") },
  ]);
  const key = await claim(mixed.id);
  expect(await verify(key, pa.slug)).toBe(200);
  expect(await verify(key, pb.slug)).toBe(200);
  await run([
    ...refusedFor(OUTSIDERS, A.revoke, revoke(mixed.id)),
    {
      who: "owner A",
      act: A.revoke,
      fields: revoke(mixed.id),
      allowed: async () => {
        const s = await state(mixed.id);
        expect.soft(s.status, "owner A's revoke leaves owner B's part working").toBe("available");
        expect.soft(s.part(pa.id)?.revoked_at ?? null, "owner A's part revoked").not.toBeNull();
        expect.soft(s.part(pb.id)?.revoked_at ?? null, "owner B's part untouched").toBeNull();
        expect.soft(await verify(key, pa.slug), "the key no longer opens owner A's product (403: valid key, not for this product)").toBe(403);
        expect.soft(await verify(key, pb.slug), "the key still works for owner B's product").toBe(200);
      },
    },
    {
      who: "owner B",
      act: A.revoke,
      fields: revoke(mixed.id),
      allowed: async () => {
        const s = await state(mixed.id);
        expect.soft(s.status, "every part revoked: the request is revoked").toBe("revoked");
        expect.soft(s.part(pb.id)?.revoked_at ?? null).not.toBeNull();
        expect.soft(await verify(key, pb.slug)).toBe(401);
      },
    },
    {
      who: "admin",
      act: A.revoke,
      fields: revoke(unclaimed.id),
      allowed: async () => {
        const s = await state(unclaimed.id);
        expect.soft(s.status, "an admin revokes every part at once").toBe("revoked");
        expect.soft([s.part(pa.id)?.revoked_at ?? null, s.part(pb.id)?.revoked_at ?? null].includes(null), "both parts revoked").toBe(false);
      },
    },
  ]);
});

test("review of a mixed request: not by an owner of one part, not by the person who decided, by another admin", async () => {
  test.setTimeout(120_000);
  const { pa, pb, onePlan } = world;
  // One request per near miss, so a wrongly allowed review cannot hide the next one ("already reviewed").
  const mixed = await submit("requester", [pa, pb], onePlan);
  const forOwnerA = await submit("requester", [pa, pb], onePlan);
  const forOwnerB = await submit("requester", [pa, pb], onePlan);
  await run([
    ...[mixed, forOwnerA, forOwnerB].map((r) => ({
      who: "second admin" as const,
      act: A.decide,
      fields: approve(r.id),
      allowed: async () => expect.soft((await state(r.id)).status).toBe("approved"),
    })),
    ...refusedFor([...OUTSIDERS, "second admin"], A.review, review(mixed.id)),
    { who: "owner A", act: A.review, fields: review(forOwnerA.id) },
    { who: "owner B", act: A.review, fields: review(forOwnerB.id) },
    {
      who: "admin",
      act: A.review,
      fields: review(mixed.id),
      allowed: async () => {
        const [r] = await conn.sql`select reviewed_by_id from reviews where request_id = ${mixed.id}`;
        expect.soft(r?.reviewed_by_id).toBe(idOf("admin"));
      },
    },
  ]);
});

test("admin-only actions (users, email, API access keys) and the audit export refuse owners (of a part or of none), consumers, the anonymous and a disabled admin", async () => {
  test.setTimeout(120_000);
  const { pb, onePlan } = world;
  const [target] = await conn.db.insert(users).values({ email: `matrix-target-${world.tag}@example.com`, name: "Target", role: "consumer" }).returning();
  if (!target) throw new Error("user");
  const [message] = await conn.sql<{ id: string }[]>`select id from email_messages order by created_at desc limit 1`;
  const onlyB = await submit("requester", [pb], onePlan);
  const notAdmins: Who[] = ["anonymous", "consumer", "owner of none", "owner A", "owner B", "requester", "disabled admin"];
  await run([
    { who: "owner B", act: A.decide, fields: approve(onlyB.id), allowed: async () => expect.soft((await state(onlyB.id)).status).toBe("approved") },
    ...refusedFor(notAdmins, A.role, { userId: target.id, role: "admin" }),
    ...refusedFor(notAdmins, A.disable, { userId: target.id, disabled: "true", revokeKeys: "on" }),
    ...refusedFor(notAdmins, A.subject, { template: "approved", subject: "Pwned" }),
    ...refusedFor(notAdmins, A.retry, { messageId: message?.id ?? "00000000-0000-4000-8000-000000000000" }),
    // A key revoke on a product they do not own: only its owner or an admin.
    ...refusedFor(["owner A", "owner of none"], A.revoke, revoke(onlyB.id)),
    {
      who: "admin",
      act: A.role,
      fields: { userId: target.id, role: "owner" },
      allowed: async () => {
        const [u] = await conn.db.select({ role: users.role }).from(users).where(eq(users.id, target.id));
        expect.soft(u?.role).toBe("owner");
      },
    },
  ]);

  // Portal API access keys: added, edited and removed by admins only.
  const apiKeyName = `Matrix key ${world.tag}`;
  const roles = JSON.stringify([{ role: "portal_admin", allProducts: false, products: [] }]);
  const apiKeyRow = () => conn.sql<{ id: string; roles: unknown; removed_at: Date | null }[]>`select id, roles, removed_at from api_access_keys where name = ${apiKeyName}`;
  await run(refusedFor(notAdmins, A.addApiKey, { name: apiKeyName, expiry: "6m", roles }));
  const added = await call("admin", A.addApiKey, { name: apiKeyName, expiry: "6m", roles });
  expect(added.text, "add an API key as admin").toContain('"ok":true');
  const token = /"token":"([^"]+)"/.exec(added.text)?.[1];
  if (token) rememberSecret(token);
  const [key] = await apiKeyRow();
  if (!key) throw new Error("the admin's API key was not added");
  const viewerOnly = JSON.stringify([{ role: "portal_viewer", allProducts: false, products: [] }]);
  await run([
    ...refusedFor(notAdmins, A.editApiKey, { id: key.id, roles: viewerOnly }),
    ...refusedFor(notAdmins, A.removeApiKey, { id: key.id }),
    {
      who: "second admin",
      act: A.editApiKey,
      fields: { id: key.id, roles: viewerOnly },
      allowed: async () => expect.soft((await apiKeyRow())[0]?.roles).toEqual([{ role: "portal_viewer" }]),
    },
    { who: "admin", act: A.removeApiKey, fields: { id: key.id }, allowed: async () => expect.soft((await apiKeyRow())[0]?.removed_at).not.toBeNull() },
  ]);

  const expected: Partial<Record<Who, number>> = { anonymous: 401, "disabled admin": 401, admin: 200 };
  for (const who of [...notAdmins, "admin"] as Who[]) {
    const before = await snapshotAll(conn);
    const csv = await get(who, "/api/admin/audit/export");
    expect.soft(csv.status, `audit export as ${who}`).toBe(expected[who] ?? 403);
    if (who !== "admin") expect.soft(csv.text, `audit export as ${who}`).not.toContain("subject_type");
    expect.soft(await changedRows(conn, before, await snapshotAll(conn)), `audit export as ${who}: every table unchanged`).toEqual({});
  }
});

test("a consumer's requests, apps, keys and claim links are theirs alone: the product's owner and an admin are refused too", async () => {
  test.setTimeout(120_000);
  const { pa, pb, onePlan } = world;
  const pending = await submit("requester", [pa], onePlan);
  const unclaimed = await submit("requester", [pb], onePlan);
  const keyed = await submit("requester", [pa], onePlan);
  await run([
    { who: "owner B", act: A.decide, fields: approve(unclaimed.id), allowed: async () => expect.soft((await state(unclaimed.id)).status).toBe("approved") },
    { who: "owner A", act: A.decide, fields: approve(keyed.id), allowed: async () => expect.soft((await state(keyed.id)).status).toBe("approved") },
  ]);
  await claim(keyed.id);
  const [key] = await conn.sql<{ id: string }[]>`select id from api_keys where request_id = ${keyed.id}`;
  const token = await claimToken(unclaimed.id);
  const strangers: Who[] = ["anonymous", "consumer", "owner A", "admin", "disabled admin"];
  const at = (id: string) => ({ page: `/requests/${id}` });
  await run([
    ...refusedFor(strangers, A.cancel, { requestId: pending.id }, at(pending.id)),
    ...refusedFor(strangers, A.remove, { requestId: pending.id }, at(pending.id)),
    ...refusedFor(strangers, A.resubmit, { requestId: pending.id }, at(pending.id)),
    ...refusedFor(strangers, A.updateApp, { id: pending.appId, name: "Stolen", description: "" }, { page: `/apps/${pending.appId}` }),
    ...refusedFor(strangers, A.deleteApp, { id: pending.appId }, { page: `/apps/${pending.appId}` }),
    ...refusedFor(strangers, A.resend, { requestId: unclaimed.id }, at(unclaimed.id)),
    ...refusedFor(strangers, A.claim, { token }, { page: `/claim/${token}` }),
    ...refusedFor(strangers, A.roll, { requestId: keyed.id, keyId: key?.id ?? "", graceHours: "24" }, at(keyed.id)),
    ...refusedFor(strangers, A.checkIn, { requestId: keyed.id }, at(keyed.id)),
    // Self-service actions need a session (adding to the cart does not: a signed-out cart is a cookie).
    ...refusedFor(["anonymous", "disabled admin"], A.createApp, { name: `Sneaky ${world.tag}`, description: "" }),
    ...refusedFor(["anonymous", "disabled admin"], A.mergeCart, {}),
    ...refusedFor(["anonymous", "disabled admin"], A.submit, { appId: "", newAppName: `Sneaky ${world.tag}`, reason: "r" }),
    {
      who: "requester",
      act: A.cancel,
      fields: { requestId: pending.id },
      page: `/requests/${pending.id}`,
      allowed: async () => expect.soft((await state(pending.id)).status).toBe("cancelled"),
    },
  ]);

  // The claim page's GET only shows: opened by anyone else it says so and uses nothing.
  for (const who of ["owner B", "admin"] as Who[]) {
    const before = await snapshotAll(conn);
    const page = await get(who, `/claim/${token}`);
    expect.soft(page.status, `claim page as ${who}`).toBe(200);
    expect.soft(page.text, `claim page as ${who}`).toContain("This link cannot be used");
    expect.soft(await changedRows(conn, before, await snapshotAll(conn)), `claim page as ${who}: every table unchanged`).toEqual({});
  }
});

test("products, plans and queue settings: only the product's owner; a shared plan only admins", async () => {
  test.setTimeout(120_000);
  const { pa, onePlan, tag } = world;
  const productFields = { id: pa.id, name: "Stolen", slug: pa.slug, summary: "", description: "", tags: "", authMethod: "oauth2" };
  const planFields = {
    name: `Stolen ${tag}`,
    description: "",
    autoApprove: "true",
    approvalsRequired: "1",
    keyLifetime: "180",
    customKeyLifetimeDays: "",
    claimLinkLifetimeHours: "72",
    rateLimitPerMinute: "",
    quotaPerMonth: "",
    reviewRequired: "false",
    reviewCommentRequired: "false",
    requestFields: "[]",
  };
  const notOwnerOfA: Who[] = ["anonymous", "consumer", "owner of none", "owner B", "requester", "disabled admin"];
  await run([
    ...refusedFor(notOwnerOfA, A.updateProduct, productFields),
    ...refusedFor(notOwnerOfA, A.productStatus, { id: pa.id, change: "archive" }),
    ...refusedFor(["anonymous", "consumer", "requester", "disabled admin"], A.createProduct, {
      ...productFields,
      id: "",
      slug: `matrix-sneaky-${tag}`,
      planIds: onePlan,
    }),
    ...refusedFor(["anonymous", "consumer", "owner A", "owner B", "disabled admin"], A.updatePlan, { ...planFields, id: onePlan }),
    ...refusedFor(["anonymous", "consumer", "requester", "disabled admin"], A.createPlan, planFields),
    ...refusedFor(["anonymous", "consumer", "requester", "disabled admin"], A.columns, { hidden: "plan" }),
    {
      who: "owner A",
      act: A.columns,
      fields: { hidden: "plan" },
      allowed: async () => {
        const [p] = await conn.sql`select preferences from user_preferences where user_id = ${idOf("owner A")}`;
        expect.soft(p?.preferences).toEqual({ queueHiddenColumns: ["plan"] });
      },
    },
  ]);
  const [product] = await conn.db.select({ name: products.name, status: products.status }).from(products).where(eq(products.id, pa.id));
  expect(product).toEqual({ name: `Matrix A ${tag}`, status: "published" });
});

test("routes: /api/me and /api/session know no one signed out or disabled", async () => {
  for (const who of ["anonymous", "disabled admin", "consumer"] as Who[]) {
    const me = await get(who, "/api/me");
    expect.soft(me.status, `/api/me as ${who}`).toBe(who === "consumer" ? 200 : 401);
    const session = JSON.parse((await get(who, "/api/session")).text) as { user: { email: string } | null };
    expect.soft(session.user?.email ?? null, `/api/session as ${who}`).toBe(who === "consumer" ? world.actors.consumer.email : null);
  }
});
