import type { Metadata } from "next";
import { FilterActions, ResetFiltersHint, filterBarClass } from "@/components/ui/filter-bar";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Link } from "@/components/ui/link";
import { z } from "zod";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { howItEnded, keyState, keyStateLabel, keyStateTone, validityEnds } from "@/lib/keys/key-state";
import { adminKeys } from "@/lib/keys/queries";
import { type KeysetPosition, pageLinks } from "@/lib/paging/keyset";
import { CheckKeyForm } from "@/components/keys/check-key-form";
import { recentCallsOfKeys, recentCallsOfRequests } from "@/lib/usage/queries";
import { checkAnyKeyAction } from "./actions";
import { KeysTable, type KeyTableRow } from "./keys-table";

export const metadata: Metadata = { title: "Keys" };

const paramsSchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  live: z.enum(["1"]).optional().catch(undefined),
  // Keyset paging (lib/paging/keyset.ts): the page after or before a key.
  after: z.string().max(200).optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
});

export default async function AdminKeysPage({ searchParams }: PageProps<"/admin/keys">) {
  const user = await requireRole(APPROVER_ROLES, "/admin/keys");
  const params = paramsSchema.parse(await searchParams);
  const { rows, ...page } = await adminKeys(db, user, {
    q: params.q,
    live: params.live === "1",
    after: params.after,
    before: params.before,
  });
  const now = new Date();
  // What each key and each revocable access was used for lately: the revoke confirmation names it.
  const [keyCalls, requestCalls] = await Promise.all([
    recentCallsOfKeys(db, user, rows.map((k) => k.id), now),
    recentCallsOfRequests(db, user, [...new Set(rows.filter((k) => k.mayRevoke).map((k) => k.requestId))], now),
  ]);
  // Worked out here, on the server: the table (a client component) gets plain facts per key.
  const tableRows: KeyTableRow[] = rows.map((k) => {
    const state = keyState(k, now);
    const revocable = k.requestStatus === "available" && (state === "active" || state === "not-yet" || state === "grace");
    return {
      id: k.id,
      start: k.start,
      lastUsedAt: k.lastUsedAt,
      callsToday: keyCalls.get(k.id)?.today ?? 0,
      appName: k.appName,
      requester: k.requester,
      requestId: k.requestId,
      products: k.products,
      planName: k.planName,
      validity: validityEnds(k),
      stateLabel: keyStateLabel[state],
      stateTone: keyStateTone[state],
      ended: howItEnded(k, now),
      revoke: revocable && k.mayRevoke ? { recentCalls: requestCalls.get(k.requestId) } : null,
      whyNot: revocable && !k.mayRevoke ? k.whyNot : null,
    };
  });
  const links = pageLinks(page);
  const pageHref = (position: KeysetPosition) => {
    const s = new URLSearchParams();
    if (params.q) s.set("q", params.q);
    if (params.live) s.set("live", "1");
    if (position.after) s.set("after", position.after);
    if (position.before) s.set("before", position.before);
    return `/admin/keys${s.size ? `?${s}` : ""}`;
  };
  return (
    <>
      <PageHeader
        title="Keys"
        description={user.role === "admin" ? "Every API key issued by Portico." : "Keys issued for your products."}
        actions={
          user.role === "admin" ? (
            <Button asChild variant="secondary">
              <Link href="/admin/keys/import">Import keys</Link>
            </Button>
          ) : undefined
        }
      />
      <div className="mb-8 max-w-2xl">
        <CheckKeyForm
          action={checkAnyKeyAction}
          description={
            user.role === "admin"
              ? "Paste a key to learn whose it is and whether it works. The key is sent only to check it and is never stored."
              : "Paste a key of one of your products to learn whose it is and whether it works. The key is never stored."
          }
        />
      </div>
      <form role="search" aria-label="Filter keys" className={`mb-4 ${filterBarClass}`} action="/admin/keys">
        <div>
          <label htmlFor="keys-q" className="block text-sm font-medium">
            Search
          </label>
          <Input id="keys-q" name="q" type="search" defaultValue={params.q} placeholder="Key, app, person or product" />
        </div>
        {/* At the foot of its cell, level with the search box rather than its label. */}
        <label className="flex h-10 items-center gap-2 self-end text-sm">
          <input type="checkbox" name="live" value="1" defaultChecked={params.live === "1"} /> Working keys only
        </label>
        <FilterActions resetHref="/admin/keys" />
      </form>
      <KeysTable
        rows={tableRows}
        viewerRole={user.role === "admin" ? "admin" : "owner"}
        previousHref={links.previous && pageHref(links.previous)}
        nextHref={links.next && pageHref(links.next)}
        empty={{
          title: params.q || params.live ? "No keys match" : "No keys yet",
          body: params.q || params.live ? <ResetFiltersHint href="/admin/keys" toSee="every key" /> : "Keys appear when consumers claim approved access.",
        }}
      />
    </>
  );
}
