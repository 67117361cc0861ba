import { eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequests, apiAccessKeys, apiKeys, apps, plans, products, users, webhookEndpoints } from "@/db/schema";
import { type LabelPart, typedList } from "@/lib/label-parts";
import { requestProductNames } from "@/lib/requests/product-names";

/**
 * An audit subject as people read it: a name, and where to look at it when it has a page. `label` is
 * the whole as one string (an accessible name); `parts` the same text with what was typed marked.
 */
export type SubjectName = { label: string; parts: LabelPart[]; href: string | null };

const named = (parts: LabelPart[], href: string | null): SubjectName => ({
  label: parts.map((part) => (typeof part === "string" ? part : part.typed)).join(""),
  parts,
  href,
});

type Subject = { subjectType: string; subjectId: string };

export const subjectKey = (s: Subject) => `${s.subjectType}:${s.subjectId}`;

const SETTINGS: Record<string, SubjectName> = {
  second_factor_policy: named(["Sign-in policy"], "/admin/security"),
  branding: named(["Branding"], "/admin/branding"),
};

/**
 * Names the subjects of one page of audit rows: one query per kind of subject on the page (at most
 * eight, run together), each by primary key. A subject since deleted keeps no name (the caller
 * shows its id).
 */
export async function subjectNames(db: Queryable, rows: readonly Subject[]): Promise<Map<string, SubjectName>> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.subjectType === type).map((r) => r.subjectId))];
  const byType = {
    request: ids("request"),
    product: ids("product"),
    plan: ids("plan"),
    user: ids("user"),
    key: ids("key"),
    app: ids("app"),
    api_access_key: ids("api_access_key"),
    webhook_endpoint: ids("webhook_endpoint"),
  };
  const when = <T>(list: string[], query: () => Promise<T[]>) => (list.length ? query() : Promise.resolve([] as T[]));
  const [requestRows, productRows, planRows, userRows, keyRows, appRows, accessKeyRows, endpointRows] = await Promise.all([
    when(byType.request, () =>
      db
        .select({ id: accessRequests.id, app: apps.name, products: requestProductNames() })
        .from(accessRequests)
        .innerJoin(apps, eq(apps.id, accessRequests.appId))
        .where(inArray(accessRequests.id, byType.request)),
    ),
    when(byType.product, () => db.select({ id: products.id, name: products.name }).from(products).where(inArray(products.id, byType.product))),
    when(byType.plan, () => db.select({ id: plans.id, name: plans.name }).from(plans).where(inArray(plans.id, byType.plan))),
    when(byType.user, () =>
      db.select({ id: users.id, name: users.name, email: users.email, kind: users.kind }).from(users).where(inArray(users.id, byType.user)),
    ),
    when(byType.key, () =>
      db
        .select({ id: apiKeys.id, start: apiKeys.start, app: apps.name })
        .from(apiKeys)
        .innerJoin(apps, eq(apps.id, apiKeys.appId))
        .where(inArray(apiKeys.id, byType.key)),
    ),
    when(byType.app, () => db.select({ id: apps.id, name: apps.name }).from(apps).where(inArray(apps.id, byType.app))),
    when(byType.api_access_key, () =>
      db.select({ id: apiAccessKeys.id, name: apiAccessKeys.name }).from(apiAccessKeys).where(inArray(apiAccessKeys.id, byType.api_access_key)),
    ),
    when(byType.webhook_endpoint, () =>
      db
        .select({ id: webhookEndpoints.id, name: sql<string>`coalesce(nullif(${webhookEndpoints.name}, ''), ${webhookEndpoints.url})` })
        .from(webhookEndpoints)
        .where(inArray(webhookEndpoints.id, byType.webhook_endpoint)),
    ),
  ]);
  const names = new Map<string, SubjectName>();
  const put = (subjectType: string, subjectId: string, name: SubjectName) => names.set(subjectKey({ subjectType, subjectId }), name);
  for (const r of requestRows) {
    put("request", r.id, named([...(r.products.length ? typedList(r.products) : ["No products"]), " for ", { typed: r.app }], `/admin/requests/${r.id}`));
  }
  for (const r of productRows) put("product", r.id, named([{ typed: r.name }], `/admin/products/${r.id}`));
  for (const r of planRows) put("plan", r.id, named([{ typed: r.name }, " plan"], `/admin/plans/${r.id}`));
  for (const r of userRows) {
    // An API access key's service user has an internal address that is never shown.
    const parts: LabelPart[] =
      r.kind === "service" ? [r.name ? { typed: r.name } : "Removed key", " (API key)"] : r.name ? [{ typed: r.name }, " (", { typed: r.email }, ")"] : [{ typed: r.email }];
    put("user", r.id, named(parts, r.kind === "service" ? null : `/admin/users?q=${encodeURIComponent(r.email)}`));
  }
  for (const r of keyRows) put("key", r.id, named([`Key ${r.start}… of `, { typed: r.app }], `/admin/keys?q=${encodeURIComponent(r.start)}`));
  for (const r of appRows) put("app", r.id, named([{ typed: r.name }], null));
  for (const r of accessKeyRows) put("api_access_key", r.id, named([{ typed: r.name }], `/admin/api-keys/${r.id}`));
  for (const r of endpointRows) put("webhook_endpoint", r.id, named([{ typed: r.name }], `/admin/webhooks/${r.id}`));
  for (const r of rows) {
    const setting = r.subjectType === "setting" && Object.hasOwn(SETTINGS, r.subjectId) ? SETTINGS[r.subjectId] : undefined;
    if (setting) put("setting", r.subjectId, setting);
  }
  return names;
}
