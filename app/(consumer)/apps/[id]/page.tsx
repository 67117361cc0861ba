import type { Metadata } from "next";
import { ValidityCell } from "@/components/keys/validity-cell";
import { Link } from "@/components/ui/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { DailyBarChart } from "@/components/charts/daily-bar-chart";
import { OUTCOME_STYLES } from "@/components/charts/palettes";
import { QuotaBar } from "@/components/charts/quota-bar";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { FilterActions, filterBarClass } from "@/components/ui/filter-bar";
import { PageHeader } from "@/components/ui/page-header";
import { Select } from "@/components/ui/select";
import { db } from "@/db/client";
import { appIdSchema } from "@/lib/apps/app-schema";
import { getApp } from "@/lib/apps/get-app";
import { currentUser, requireUser } from "@/lib/auth/guards";
import { Badge } from "@/components/ui/badge";
import { Table } from "@/components/ui/table";
import { formatDate, formatDateTime } from "@/lib/format";
import { howItEnded, keyState, keyStateLabel, keyStateTone, validityEnds } from "@/lib/keys/key-state";
import { keysOfApp } from "@/lib/keys/queries";
import { listMyRequests } from "@/lib/requests/queries";
import { productsOfAppUsage, quotaUsedThisMonth, usageOfApp } from "@/lib/usage/queries";
import { OAuthClients } from "@/components/oauth-clients";
import { CheckKeyForm } from "@/components/keys/check-key-form";
import { TypedList } from "@/components/label-parts";
import { checkAppKeyAction } from "../actions";
import { DeleteApp } from "./delete-app";
import { EditAppForm } from "./edit-app-form";

// The chart's filters (a GET form): one key, one product. The product travels as "=slug" so that
// "=" (calls that named no product) differs from "" (all products).
const filtersSchema = z.object({
  key: z.uuid().optional().catch(undefined),
  product: z
    .string()
    .max(200)
    .optional()
    .catch(undefined)
    .transform((v) => (!v ? undefined : v.startsWith("=") ? v.slice(1) : v)),
});

// Shared by generateMetadata and the page, so one request reads the app once.
const loadApp = cache(async (ownerId: string, id: string) => getApp(db, ownerId, id));

export async function generateMetadata({ params }: PageProps<"/apps/[id]">): Promise<Metadata> {
  const { id } = await params;
  const user = await currentUser();
  const app = user && appIdSchema.safeParse(id).success ? await loadApp(user.id, id) : null;
  return { title: app ? app.name : "App" };
}

export default async function AppPage({ params, searchParams }: PageProps<"/apps/[id]">) {
  const { id } = await params;
  // Anything that cannot be an app id is a 404 without a query.
  if (!appIdSchema.safeParse(id).success) notFound();
  const user = await requireUser(`/apps/${id}`);
  // Someone else's app and a missing one look the same.
  const app = await loadApp(user.id, id);
  if (!app) notFound();
  const filters = filtersSchema.parse(await searchParams);
  const now = new Date();
  const [keys, usedProducts, requests] = await Promise.all([
    keysOfApp(db, user.id, app.id),
    productsOfAppUsage(db, user, { appId: app.id, now }),
    listMyRequests(db, user.id),
  ]);
  // Only filters this app offers: a stale or foreign one shows every call rather than a false zero.
  const keyFilter = keys.find((k) => k.id === filters.key);
  const productFilter = usedProducts.find((p) => p.slug === filters.product);
  const active = requests.filter((r) => r.appId === app.id && r.status === "available");
  const [usage, quotas] = await Promise.all([
    usageOfApp(db, user, { appId: app.id, keyId: keyFilter?.id, product: productFilter?.slug, now }),
    quotaUsedThisMonth(db, user, active.map((r) => r.id), now),
  ]);
  const filtered = [keyFilter ? `key ${keyFilter.start}…` : null, productFilter ? productFilter.name : null].filter(Boolean).join(", ");

  return (
    <>
      <Breadcrumb parent={{ href: "/apps", label: "Your apps" }} current={app.name} />
      <PageHeader
        title={app.name}
        description={
          <>
            Created <time dateTime={app.createdAt.toISOString()}>{formatDate(app.createdAt)}</time>
          </>
        }
      />
      <div className="grid gap-10 lg:grid-cols-[1fr_22rem]">
        <div className="min-w-0 space-y-10">
          <section aria-labelledby="usage-title" className="space-y-4">
            <h2 id="usage-title" className="text-lg font-semibold">
              Usage
            </h2>
            {active.length > 0 ? (
              <ul className="space-y-3" aria-label="This month's quota">
                {active.map((r) => {
                  const q = quotas.get(r.id);
                  return q ? (
                    <li key={r.id}>
                      <Link href={`/requests/${r.id}`} className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                        <TypedList names={r.products.map((p) => p.name)} /> · <bdi>{r.plan.name}</bdi>
                      </Link>
                      <QuotaBar quota={q} className="mt-1" testId="quota-bar" />
                    </li>
                  ) : null;
                })}
              </ul>
            ) : null}
            <form className={filterBarClass} action={`/apps/${app.id}`} aria-label="Filter the chart">
              <div>
                <label htmlFor="usage-key" className="block text-sm font-medium">
                  Key
                </label>
                <Select id="usage-key" name="key" defaultValue={keyFilter?.id ?? ""}>
                  <option value="">All keys</option>
                  {keys.map((k) => (
                    <option key={k.id} value={k.id}>
                      {k.start}…
                    </option>
                  ))}
                </Select>
              </div>
              <div>
                <label htmlFor="usage-product" className="block text-sm font-medium">
                  Product
                </label>
                <Select id="usage-product" name="product" defaultValue={productFilter ? `=${productFilter.slug}` : ""}>
                  <option value="">All products</option>
                  {usedProducts.map((p) => (
                    <option key={p.slug} value={`=${p.slug}`}>
                      {p.name}
                    </option>
                  ))}
                </Select>
              </div>
              <FilterActions resetHref={`/apps/${app.id}`} />
            </form>
            {usage ? (
              <DailyBarChart
                title={filtered ? `Calls per day, ${filtered}` : "Calls per day"}
                series={usage}
                styles={OUTCOME_STYLES}
                unit={["call", "calls"]}
                empty={filtered ? "No calls in the last 30 days match these filters." : "No calls in the last 30 days. Calls appear here once a gateway checks this app's keys."}
                testId="app-usage"
              />
            ) : null}
          </section>
          <OAuthClients appId={app.id} userId={user.id} />
          <section aria-labelledby="keys-title">
            <h2 id="keys-title" className="mb-3 text-lg font-semibold">
              Key archive
            </h2>
            {keys.length === 0 ? (
              <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
                No keys yet. Keys appear here once a request for this app is approved and claimed.
              </p>
            ) : (
              <Table caption="Every key of this app, newest first" columns={[{ label: "Key" }, { label: "Plan" }, { label: "Valid" }, { label: "Status" }]}>
                {keys.map((k) => {
                  const state = keyState(k, now);
                  const ended = howItEnded(k, now);
                  return (
                    <tr key={k.id} data-testid="archive-key">
                      <td className="py-2 pr-4 align-top">
                        <Link href={`/requests/${k.requestId}`} className="font-mono text-indigo-600 dark:text-indigo-400 hover:underline">
                          {k.start}…
                        </Link>
                        <p className="text-xs text-zinc-500 dark:text-zinc-400">{k.lastUsedAt ? `Last used ${formatDateTime(k.lastUsedAt)}` : "Never used"}</p>
                      </td>
                      <td className="py-2 pr-4 align-top">{k.planName}</td>
                      <td className="py-2 pr-4 align-top">
                        <ValidityCell ends={validityEnds(k)} />
                      </td>
                      <td className="py-2 align-top">
                        <Badge tone={keyStateTone[state]}>{keyStateLabel[state]}</Badge>
                        {ended ? <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{ended}</p> : null}
                      </td>
                    </tr>
                  );
                })}
              </Table>
            )}
            <div className="mt-8">
              <CheckKeyForm
                action={checkAppKeyAction}
                appId={app.id}
                description={
                  <>
                    Paste a key to learn whether it is <bdi>{app.name}</bdi>&apos;s current key, an older one, or no longer works. The key is sent only
                    to check it and is never stored.
                  </>
                }
              />
            </div>
          </section>
        </div>
        <div className="space-y-6 self-start">
          <Card>
            <EditAppForm id={app.id} name={app.name} description={app.description} />
          </Card>
          <Card>
            <DeleteApp id={app.id} name={app.name} />
          </Card>
        </div>
      </div>
    </>
  );
}
