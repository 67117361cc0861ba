import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { apiKeys, auditEvents } from "@/db/schema";
import type { Operation } from "@/lib/api/operation";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { submitRequest } from "@/lib/requests/submit-request";
import { API_BASE_URL, type apiHarness } from "./api";
import type { catalogueFixture } from "./fixtures";
import { approvedRequest } from "./requests";

type Fixture = Awaited<ReturnType<typeof catalogueFixture>>;

/**
 * Real rows for every kind of id an operation's path can name, all in product A ("payments"): a
 * pending request, an approved one with its key, their app and requester, an audit event, an API
 * access key. `pathFor(op)` fills `{productId}`, `{requestId}`, `{keyId}`… from them by the parameter's name;
 * a name it does not know gets a random UUID (the call then answers 404, never 401/403 alone).
 */
export async function apiFixtures(db: Database, f: Fixture, api: ReturnType<typeof apiHarness>) {
  const productA = f.product("payments");
  const admin = await f.user("admin");
  const approved = await approvedRequest({ db, f, approver: userActor(admin), baseUrl: API_BASE_URL });
  const requester = await f.user();
  await addToCart(db, requester.id, { productId: productA.id, planId: f.plan("Standard").id });
  const pending = await submitRequest(db, { userId: requester.id, baseUrl: API_BASE_URL }, { newAppName: "Matrix app", reason: "Matrix" }, {});
  const [key] = await db
    .insert(apiKeys)
    .values({ keyHash: randomBytes(32).toString("hex"), start: "ptk_mtrx", appId: approved.request.appId, requestId: approved.request.id })
    .returning();
  const [event] = await db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.subjectId, approved.request.id)).limit(1);
  const accessKey = await api.token([{ role: "portal_viewer" }]);

  const ids = {
    product: productA.id,
    plan: f.plan("Standard").id,
    request: pending.id,
    approvedRequest: approved.request.id,
    key: key?.id ?? crypto.randomUUID(),
    accessKey: accessKey.key.id,
    app: pending.appId,
    user: requester.id,
    event: String(event?.id ?? crypto.randomUUID()),
  };

  /** The id for a path parameter, by its name (productId, requestId, keyId, apiAccessKeyId…). */
  function idFor(name: string) {
    const n = name.toLowerCase();
    if (n.includes("product")) return ids.product;
    if (n.includes("plan")) return ids.plan;
    if (n.includes("request")) return ids.request;
    // the API's keys are consumers' keys (api_keys); access keys to this API are named so
    if (n.includes("accesskey")) return ids.accessKey;
    if (n.includes("key")) return ids.key;
    if (n.includes("app")) return ids.app;
    if (n.includes("user") || n.includes("consumer") || n.includes("requester")) return ids.user;
    if (n.includes("event")) return ids.event;
    return crypto.randomUUID();
  }

  const pathFor = (op: Operation, fill: (name: string) => string = idFor) =>
    op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(fill(name)));

  return { productA, admin, ids, idFor, pathFor };
}
