import { type AnyColumn, type SQL, and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests, products, type RequestStatus, type UserRole } from "@/db/schema";
import { type ApiAccessGrant, inScope, isPortalAdmin, productScope, readsEverything } from "@/lib/api-access/grants";
import { DomainError } from "@/lib/errors";

/**
 * Who is acting. A union so a portal API access key (acting under its roles and product scope) fits
 * beside a person later; every domain mutation takes one and asks this module (DESIGN.md §9).
 */
export type UserActor = { kind: "user"; id: string; role: UserRole; disabled: boolean };
/**
 * A portal API access key (lib/api-access). `id` is its service user (what it approves or changes is
 * attributed to it); `role` is "admin" for a Portal admin key and "consumer" otherwise, so code that
 * only asks for admins reads it right; its product-scoped grants are read here.
 */
export type ApiKeyActor = {
  kind: "apiKey";
  id: string;
  keyId: string;
  /** The admin who created the key: their own requests are theirs to the key too (four eyes). */
  createdById: string;
  name: string;
  grants: readonly ApiAccessGrant[];
  role: UserRole;
  disabled: false;
};
export type Actor = UserActor | ApiKeyActor;

/** One product of a request ("part"): its owner decides it, or an admin. */
export type RequestPart = { productId: string; ownerId: string };
export type RequestSubject = { requesterId: string; parts: readonly RequestPart[] };
/** A review of a decision: who made that decision (approvers, denier or revoker). */
export type ReviewSubject = RequestSubject & { deciderIds: readonly string[] };

type Subjects = {
  "request.see": RequestSubject;
  "request.decide": RequestSubject;
  "request.revoke": RequestSubject;
  "review.mark": ReviewSubject;
  "user.admin": null;
  "email.admin": null;
  /** The portal's name, logo, accent and footer (Admin → Branding). */
  "branding.admin": null;
  /** Import keys made elsewhere (Admin → Keys → Import): creates consumers, apps, access and keys. */
  "keys.import": null;
  "audit.export": null;
  /** Read the audit log, users and apps (the API's Portal viewer may; the pages: admins). */
  "directory.read": null;
  /** Create products and plans, and change those the actor owns (lib/products/product-access.ts). */
  "catalogue.manage": null;
};
export type Action = keyof Subjects;
export type Permission = { ok: true } | { ok: false; reason: string };

export const REASONS = {
  disabled: "Your account is disabled. Ask an admin to enable it.",
  notApprover: "Only the product's owner or an admin decides on access to it.",
  ownRequest: "You requested this access: another approver decides.",
  ownRequestReview: "You requested this access: another reviewer marks it reviewed.",
  ownDecision: "You decided this request: another reviewer marks it reviewed.",
  notEveryPart: "This request includes products you do not own: their owner or an admin marks it reviewed.",
  adminOnly: "Only an admin can do this.",
  managersOnly: "Your role does not allow this action.",
} as const;

const ALLOW: Permission = { ok: true };
const deny = (reason: string): Permission => ({ ok: false, reason });

/** A person who decides: an enabled owner or admin (API keys are read from their grants). */
const decidesFor = (actor: Actor) => actor.kind === "user" && !actor.disabled && (actor.role === "owner" || actor.role === "admin");

/** SQL on products: an owner's own, the products whose requests they see and decide. */
const ownedBy = (actor: UserActor) => sql`${products.ownerId} = ${actor.id}`;

/**
 * Admin: every part. Owner (role owner or admin): parts whose product they own. Consumer: none.
 * An API key: Portal admin every part, Product approver the parts of its products.
 */
export function hasAuthority(actor: Actor, part: RequestPart) {
  if (actor.disabled) return false;
  if (actor.kind === "apiKey") return inScope(productScope(actor.grants, "decide"), part.productId);
  if (!decidesFor(actor)) return false;
  return actor.role === "admin" || part.ownerId === actor.id;
}

/** Sees the request: it may decide a part of it, or (API keys) read one of its products. */
function seesPart(actor: Actor, part: RequestPart) {
  if (actor.kind === "apiKey") return inScope(productScope(actor.grants, "read"), part.productId);
  return hasAuthority(actor, part);
}

/** The parts of a request this actor may approve, deny or revoke. */
export const partsOf = <P extends RequestPart>(actor: Actor, parts: readonly P[]) => parts.filter((p) => hasAuthority(actor, p));

export function can<A extends Action>(actor: Actor, action: A, subject: Subjects[A]): Permission {
  if (actor.disabled) return deny(REASONS.disabled);
  switch (action) {
    case "user.admin":
    case "email.admin":
    case "branding.admin":
    case "keys.import":
      return actor.role === "admin" ? ALLOW : deny(REASONS.adminOnly);
    case "audit.export":
    case "directory.read":
      if (actor.kind === "apiKey") return readsEverything(actor.grants) ? ALLOW : deny(REASONS.adminOnly);
      return actor.role === "admin" ? ALLOW : deny(REASONS.adminOnly);
    case "catalogue.manage":
      if (actor.kind === "apiKey") return isPortalAdmin(actor.grants) ? ALLOW : deny(REASONS.managersOnly);
      return decidesFor(actor) ? ALLOW : deny(REASONS.managersOnly);
    case "request.see": {
      const s = subject as RequestSubject;
      return s.parts.some((p) => seesPart(actor, p)) ? ALLOW : deny(REASONS.notApprover);
    }
    case "request.decide":
    case "request.revoke": {
      const s = subject as RequestSubject;
      if (partsOf(actor, s.parts).length === 0) return deny(REASONS.notApprover);
      return requestedBy(actor, s.requesterId) ? deny(REASONS.ownRequest) : ALLOW;
    }
    case "review.mark": {
      const s = subject as ReviewSubject;
      const mine = partsOf(actor, s.parts);
      if (mine.length === 0) return deny(REASONS.notApprover);
      if (mine.length < s.parts.length) return deny(REASONS.notEveryPart);
      if (requestedBy(actor, s.requesterId)) return deny(REASONS.ownRequestReview);
      if (s.deciderIds.includes(actor.id)) return deny(REASONS.ownDecision);
      return ALLOW;
    }
  }
  return deny(REASONS.adminOnly);
}

/** The actor asked for this access: themself, or (a key) the admin who created the key. */
const requestedBy = (actor: Actor, requesterId: string) => requesterId === actor.id || (actor.kind === "apiKey" && requesterId === actor.createdById);

/** `can`, throwing DomainError "forbidden" with the reason; nothing has been written yet. */
export function assertCan<A extends Action>(actor: Actor, action: A, subject: Subjects[A]) {
  const p = can(actor, action, subject);
  if (!p.ok) throw new DomainError("forbidden", p.reason);
}

/**
 * SQL: the requests this actor sees in the queue (admins all, owners those touching one of their
 * products, nobody else). An id outside it is answered exactly like an unknown one. `requestId` is
 * the column holding the request's id (access_requests.id, or another table's reference to it, such
 * as an audit event's subject, so that no join to access_requests is needed only to test it).
 */
export function requestsVisibleTo(actor: Actor, requestId: AnyColumn = accessRequests.id, opts: VisibilityOptions = {}): SQL {
  if (actor.kind === "apiKey") return scopeSql(productScope(actor.grants, "read"), requestId);
  if (!decidesFor(actor)) return sql`false`;
  if (actor.role === "admin") return sql`true`;
  // The requester of the very row tested: the option names access_requests' column, so the row must be access_requests'.
  if (opts.requester && requestId !== accessRequests.id) throw new Error("VisibilityOptions.requester is for a test of access_requests.id");
  const byRequester = opts.requester ? sql` and ${accessRequestProducts.requesterId} = ${opts.requester}` : sql``;
  if (opts.ownedListed)
    return sql`exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${requestId}${byRequester}
      and ${accessRequestProducts.productId} = any(array(select ${products.id} from ${products} where ${ownedBy(actor)})))`;
  return sql`exists (select 1 from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId}
    where ${accessRequestProducts.requestId} = ${requestId}${byRequester} and ${ownedBy(actor)})`;
}

/**
 * How an owner's visibility is written, the same rule either way. By default each request's parts
 * are joined to their products to find the owner's. `ownedListed`: the owner's products are listed
 * once per statement (an InitPlan) and each request's parts looked up in that list, in the (request,
 * product) key. Measured at 1M requests (2026-12-05, the owner of the 10 demo products): a search's matches, each
 * request tested on its own, 16.3 → 11.5 ms (an email) and 18.6 → 12.6 ms (a product's name); but
 * the pending requests' capped count went 5.0 → 9.7 ms, planned differently. So it is asked for
 * where measured: a search's products' arm (lib/admin/queue-query.ts, searchArms). Its other arms
 * dropped it once a count stopped at the first arm past the cap: a text most requests hold was
 * read as a merge of all the owner's parts (2026-12-06, "a": 20 → 10 ms).
 */
export type VisibilityOptions = {
  ownedListed?: boolean;
  /**
   * The request's requester (`access_requests.requester_id` of the row `requestId` names), for an
   * owner's test: each part is then found in the (requester, request, product) index, beside that
   * person's other parts (a part carries its request's requester, kept equal by the database:
   * drizzle/0035), instead of in the (request, product) key, where each request's parts are a page of
   * their own. The same rule, the same answer: for reads that test many requests of few people (the
   * queue's search of a person). At 1M requests, an owner's first search of an email, 481 requests
   * tested: 13 pages read instead of about 1,200, the arm 14 → 6 ms at p50 (2026-12-06, in-process).
   */
  requester?: AnyColumn;
  /**
   * requestsWithProductVisibleTo only: the product's parts in this status alone. A part carries its
   * request's status (db/schema: access_request_products.status, kept equal by the database), so
   * these are the same requests as the request's own status says, found in the (product, status,
   * request) index: the pending requests of one product at 1M requests, counted to 1,001 in 3.0 ms
   * of the server's CPU instead of 5.0 (2026-12-05, interleaved, 80 runs each).
   */
  partStatus?: RequestStatus;
  /**
   * requestsWithProductVisibleTo only: the product's parts of requests made in these days alone
   * (`from` inclusive, `to` exclusive). A part carries its request's date (drizzle/0040), so these are
   * the same requests as the request's own date says, found in the (product, created at, request,
   * status) index: an owner's requests of one product over five days at 1M requests, counted to
   * 1,001 from a range of it instead of by hashing the product's 111,035 parts.
   */
  partMade?: { from?: Date; to?: Date };
};

/**
 * SQL: the requests with a part of `productId` that this actor sees (requestsVisibleTo, narrowed to
 * that product: the queue's product filter). When the actor sees every request of that product (an
 * admin, its owner, a key whose scope holds it) the part alone says so: for an owner that is asked
 * once per statement (an InitPlan) instead of per request, whose parts would each be tested (the
 * pending requests of one product at 1M requests: 1,001 found in 8 ms instead of 15). Any other
 * product's requests are those the actor sees through another part.
 */
export function requestsWithProductVisibleTo(actor: Actor, productId: string, requestId: AnyColumn = accessRequests.id, opts: VisibilityOptions = {}): SQL {
  const inStatus = opts.partStatus ? sql` and ${accessRequestProducts.status} = ${opts.partStatus}` : sql``;
  const from = opts.partMade?.from ? sql` and ${gte(accessRequestProducts.createdAt, opts.partMade.from)}` : sql``;
  const to = opts.partMade?.to ? sql` and ${lt(accessRequestProducts.createdAt, opts.partMade.to)}` : sql``;
  const withPart = sql`exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${requestId}
    and ${accessRequestProducts.productId} = ${productId}${inStatus}${from}${to})`;
  const visible = requestsVisibleTo(actor, requestId, opts);
  if (actor.kind === "apiKey") return inScope(productScope(actor.grants, "read"), productId) ? withPart : sql`${withPart} and ${visible}`;
  if (!decidesFor(actor)) return sql`false`;
  if (actor.role === "admin") return withPart;
  return sql`${withPart} and (exists (select 1 from ${products} where ${products.id} = ${productId} and ${ownedBy(actor)}) or ${visible})`;
}

/**
 * SQL: whether this actor sees a request that has a part of `product` (a products row in the same
 * statement, such as an alias walked product by product): through that product when they decide for
 * it (an admin, its owner, a key whose scope holds it), tested on the row itself, or else through
 * another part (requestsVisibleTo). The queue's search reads the requests of the products it names
 * this way.
 */
export function requestsVisibleThrough(
  actor: Actor,
  product: { id: AnyColumn; ownerId: AnyColumn },
  requestId: AnyColumn = accessRequests.id,
  opts: VisibilityOptions = {},
): SQL {
  const visible = requestsVisibleTo(actor, requestId, opts);
  if (actor.kind === "apiKey") {
    const scope = productScope(actor.grants, "read");
    if (scope === "all") return sql`true`;
    return scope.length === 0 ? visible : sql`(${inArray(product.id, scope)} or ${visible})`;
  }
  if (!decidesFor(actor)) return sql`false`;
  if (actor.role === "admin") return sql`true`;
  return sql`(${product.ownerId} = ${actor.id} or ${visible})`;
}

/**
 * SQL on products, for a viewer who sees exactly the requests with a part among a handful of
 * products — an owner, their own (requestsVisibleTo) — so that those requests can be read from the
 * products' parts. Undefined for anyone else: an admin sees every request (read from the requests),
 * an API key's scope and a consumer's nothing are answered by requestsVisibleTo.
 */
export function productsOwnedBy(actor: Actor): SQL | undefined {
  if (!decidesFor(actor) || actor.kind !== "user" || actor.role !== "owner") return undefined;
  return ownedBy(actor);
}

/** An API key's "decide" scope as SQL on a product id: Portal admin every product, Product approver its own. */
function decideScopeSql(actor: ApiKeyActor, productId: AnyColumn): SQL {
  const scope = productScope(actor.grants, "decide");
  if (scope === "all") return sql`true`;
  return scope.length === 0 ? sql`false` : inArray(productId, scope);
}

/** SQL on access_request_products: the parts this actor has authority over. */
export function partsUnderAuthorityOf(actor: Actor): SQL {
  if (actor.kind === "apiKey") return decideScopeSql(actor, accessRequestProducts.productId);
  if (!decidesFor(actor)) return sql`false`;
  if (actor.role === "admin") return sql`true`;
  return sql`exists (select 1 from ${products} where ${products.id} = ${accessRequestProducts.productId} and ${ownedBy(actor)})`;
}

/**
 * SQL on products: the products this actor decides for. Admin: all. Owner: their own. An API key:
 * Portal admin all, Product approver its products. Anyone else, or disabled: none.
 */
export function productsUnderAuthorityOf(actor: Actor): SQL {
  if (actor.disabled) return sql`false`;
  if (actor.kind === "apiKey") return decideScopeSql(actor, products.id);
  if (!decidesFor(actor)) return sql`false`;
  if (actor.role === "admin") return sql`true`;
  return ownedBy(actor);
}

/** Requests with a part among these products (an API key's scope). */
function scopeSql(scope: "all" | string[], requestId: AnyColumn): SQL {
  if (scope === "all") return sql`true`;
  if (scope.length === 0) return sql`false`;
  return sql`exists (select 1 from ${accessRequestProducts} where ${accessRequestProducts.requestId} = ${requestId}
    and ${inArray(accessRequestProducts.productId, scope)})`;
}

export type PartRow = RequestPart & {
  requestId: string;
  productName: string;
  approvedById: string | null;
  approvedAt: Date | null;
  revokedById: string | null;
  revokedAt: Date | null;
};

/** Every part of these requests with its owner and state, in one query. */
export async function loadParts(db: Queryable, requestIds: readonly string[]): Promise<Map<string, PartRow[]>> {
  const out = new Map<string, PartRow[]>();
  if (requestIds.length === 0) return out;
  const rows = await db
    .select({
      requestId: accessRequestProducts.requestId,
      productId: accessRequestProducts.productId,
      ownerId: products.ownerId,
      productName: products.name,
      approvedById: accessRequestProducts.approvedById,
      approvedAt: accessRequestProducts.approvedAt,
      revokedById: accessRequestProducts.revokedById,
      revokedAt: accessRequestProducts.revokedAt,
    })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .where(and(inArray(accessRequestProducts.requestId, [...requestIds])))
    .orderBy(products.name);
  for (const r of rows) {
    const list = out.get(r.requestId) ?? [];
    list.push(r);
    out.set(r.requestId, list);
  }
  return out;
}

/** An actor from a users row (scripts, jobs and tests; pages and actions get theirs from the session). */
export const userActor = (u: { id: string; role: UserRole; disabledAt?: Date | null }): Actor => ({
  kind: "user",
  id: u.id,
  role: u.role,
  disabled: Boolean(u.disabledAt),
});
