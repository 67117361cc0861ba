import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Badge } from "@/components/ui/badge";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { PageHeader } from "@/components/ui/page-header";
import { Table } from "@/components/ui/table";
import { db } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";
import { howItEnded, keyState, keyStateLabel, keyStateTone, validityWindow } from "@/lib/keys/key-state";
import { adminKeys } from "@/lib/keys/queries";
import { CheckKeyForm } from "@/components/keys/check-key-form";
import { recentCallsOfKeys, recentCallsOfRequests } from "@/lib/usage/queries";
import { checkAnyKeyAction } from "./actions";
import { RevokeForm } from "./revoke-form";

export const metadata: Metadata = { title: "Keys" };

const paramsSchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  live: z.enum(["1"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export default async function AdminKeysPage({ searchParams }: PageProps<"/admin/keys">) {
  const user = await requireRole(APPROVER_ROLES, "/admin/keys");
  const params = paramsSchema.parse(await searchParams);
  const { rows, hasMore, page } = await adminKeys(db, user, { q: params.q, live: params.live === "1", page: params.page });
  const now = new Date();
  // What each key and each revocable access was used for lately: the revoke confirmation names it.
  const [keyCalls, requestCalls] = await Promise.all([
    recentCallsOfKeys(db, user, rows.map((k) => k.id), now),
    recentCallsOfRequests(db, user, [...new Set(rows.filter((k) => k.mayRevoke).map((k) => k.requestId))], now),
  ]);
  const pageHref = (p: number) => {
    const s = new URLSearchParams();
    if (params.q) s.set("q", params.q);
    if (params.live) s.set("live", "1");
    if (p > 1) s.set("page", String(p));
    return `/admin/keys${s.size ? `?${s}` : ""}`;
  };
  return (
    <>
      <PageHeader
        title="Keys"
        description={user.role === "admin" ? "Every API key issued by Portico." : "Keys issued for your products."}
        actions={
          user.role === "admin" ? (
            <Link href="/admin/keys/import" className="inline-flex h-10 items-center rounded-md border border-zinc-300 px-4 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Import keys
            </Link>
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
      <form role="search" className="mb-4 flex flex-wrap items-end gap-3" action="/admin/keys">
        <div>
          <label htmlFor="keys-q" className="block text-sm font-medium">
            Search
          </label>
          <input
            id="keys-q"
            name="q"
            type="search"
            defaultValue={params.q}
            placeholder="Key, app, requester or product"
            className="h-10 w-72 max-w-full rounded-md border border-zinc-300 px-3 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </div>
        <label className="flex h-10 items-center gap-2 text-sm">
          <input type="checkbox" name="live" value="1" defaultChecked={params.live === "1"} /> Working keys only
        </label>
        <button type="submit" className="h-10 rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500">
          Search
        </button>
      </form>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {params.q || params.live ? "No keys match. Clear the search to see every key." : "No keys yet. Keys appear when consumers claim approved access."}
        </p>
      ) : (
        <Table caption="Keys, newest first" columns={[{ label: "Key" }, { label: "App and requester" }, { label: "Access" }, { label: "Valid" }, { label: "Status" }, { label: "Actions", srOnly: true }]}>
          {rows.map((k) => {
            const state = keyState(k, now);
            const revocable = k.requestStatus === "available" && (state === "active" || state === "not-yet" || state === "grace");
            const ended = howItEnded(k, now);
            return (
              <tr key={k.id} data-testid="admin-key">
                <td className="py-2 pr-4 align-top">
                  <span className="font-mono">{k.start}…</span>
                  <p className="text-xs text-zinc-500">{k.lastUsedAt ? `Last used ${formatDateTime(k.lastUsedAt)}` : "Never used"}</p>
                  <KeyCallsToday calls={keyCalls.get(k.id)?.today ?? 0} />
                  <AuditTimelineLink subjectType="key" subjectId={k.id} viewerRole={user.role} className="text-xs text-indigo-600 underline" />
                </td>
                <td className="py-2 pr-4 align-top">
                  {k.appName}
                  <p className="text-xs text-zinc-500">{k.requester}</p>
                </td>
                <td className="py-2 pr-4 align-top">
                  <Link href={`/admin/requests/${k.requestId}`} className="text-indigo-600 hover:underline">
                    {k.products.join(", ")}
                  </Link>
                  <p className="text-xs text-zinc-500">{k.planName}</p>
                </td>
                <td className="py-2 pr-4 align-top">{validityWindow(k)}</td>
                <td className="py-2 pr-4 align-top">
                  <Badge tone={keyStateTone[state]}>{keyStateLabel[state]}</Badge>
                  {ended ? <p className="mt-1 text-xs text-zinc-500">{ended}</p> : null}
                </td>
                <td className="py-2 align-top">
                  {revocable && k.mayRevoke ? (
                    <RevokeForm requestId={k.requestId} keyStart={k.start} recentCalls={requestCalls.get(k.requestId)} />
                  ) : revocable && k.whyNot ? (
                    <p className="max-w-48 text-xs text-zinc-600 dark:text-zinc-400" data-testid="why-no-revoke">
                      {k.whyNot}
                    </p>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
      <nav aria-label="Pages" className="mt-4 flex gap-3 text-sm">
        {page > 1 ? <Link href={pageHref(page - 1)} className="text-indigo-600 underline">← Newer</Link> : null}
        {hasMore ? <Link href={pageHref(page + 1)} className="text-indigo-600 underline">Older →</Link> : null}
      </nav>
    </>
  );
}

/** "12 calls today" under a key (UTC day), omitted when it had none. */
function KeyCallsToday({ calls }: { calls: number }) {
  if (calls === 0) return null;
  return (
    <p className="text-xs text-zinc-500" data-testid="key-calls-today">
      {new Intl.NumberFormat("en-GB").format(calls)} {calls === 1 ? "call" : "calls"} today
    </p>
  );
}
