import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { QuotaBar } from "@/components/charts/quota-bar";
import { HandoffNote } from "@/components/handoff-note";
import { StatusBadge } from "@/components/status-badge";
import { EmptyState } from "@/components/ui/empty-state";
import { TypedList } from "@/components/label-parts";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireUser } from "@/lib/auth/guards";
import { handoffStatus } from "@/lib/requests/handoff-status";
import { expiryOfRequests } from "@/lib/requests/extension-queries";
import { listMyRequests } from "@/lib/requests/queries";
import { formatDate, formatDuration } from "@/lib/format";
import {
  type QuotaUse,
  type RecentCalls,
  quotaUsedThisMonth,
  recentCallsOfRequests,
} from "@/lib/usage/queries";

export const metadata: Metadata = { title: "My requests" };

export default async function MyRequestsPage({ searchParams }: PageProps<"/requests">) {
  const user = await requireUser("/requests");
  const [requests, params] = await Promise.all([listMyRequests(db, user.id), searchParams]);
  // Usage at a glance for each working access: today's calls and this month against the quota.
  const active = requests.filter((r) => r.status === "available").map((r) => r.id);
  const now = new Date();
  const [expiry, recent, quotas] = await Promise.all([
    expiryOfRequests(db, active),
    recentCallsOfRequests(db, user, active, now),
    quotaUsedThisMonth(db, user, active, now),
  ]);
  return (
    <>
      <PageHeader
        title="My requests"
        description="Every access request you have made, and where it stands."
      />
      {params.removed === "1" ? (
        <p
          role="status"
          className="mb-4 rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"
        >
          Request removed from your list.
        </p>
      ) : null}
      {requests.length === 0 ? (
        <EmptyState title="No requests yet">
          Find an API in the{" "}
          <Link href="/apis" className="text-indigo-600 dark:text-indigo-400 underline">
            catalogue
          </Link>
          , add it to your cart with a plan, and submit it for one of your apps.
        </EmptyState>
      ) : (
        <>
          {/* A phone gets cards with the key facts (product, app, status, date); the table needs 40 rem. */}
          <ul className="space-y-3 sm:hidden" aria-label="Your access requests">
            {requests.map((r) => (
              <li
                key={r.id}
                className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
                data-testid="request-card"
              >
                <div className="flex items-start justify-between gap-3">
                  <Link
                    href={`/requests/${r.id}`}
                    className="min-w-0 break-words font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                  >
                    <TypedList names={r.products.map((p) => p.name)} />
                  </Link>
                  <StatusBadge
                    status={r.status}
                    approvals={r.approvals}
                    approvalsRequired={r.plan.approvalsRequired}
                    startsAt={r.startsAt}
                  />
                </div>
                <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                  <dt className="text-zinc-500 dark:text-zinc-400">App</dt>
                  <dd className="min-w-0 break-words">{r.appName}</dd>
                  <dt className="text-zinc-500 dark:text-zinc-400">Plan</dt>
                  <dd>{r.plan.name}</dd>
                  <dt className="text-zinc-500 dark:text-zinc-400">Requested</dt>
                  <dd>{formatDate(r.createdAt)}</dd>
                </dl>
                <HandoffNote
                  handoff={handoffStatus(r)}
                  audience="requester"
                  className="mt-2 text-xs"
                />
                <ExpiryNote
                  requestId={r.id}
                  what={r.products.map((p) => p.name).join(", ")}
                  expiry={r.status === "available" ? expiry.get(r.id) : undefined}
                />
                {recent.get(r.id) ? (
                  <div className="mt-2 text-sm">
                    <UsageAtAGlance recent={recent.get(r.id)} quota={quotas.get(r.id)} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
          <div className="relative hidden overflow-x-auto rounded-lg border border-zinc-200 bg-white sm:block dark:border-zinc-800 dark:bg-zinc-900">
            <table className="w-full min-w-[40rem] text-left text-sm">
              <caption className="sr-only">Your access requests</caption>
              <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:text-zinc-400 dark:border-zinc-800">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Products
                  </th>
                  <th scope="col" className="px-4 py-3">
                    App
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Plan
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Requested
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Duration
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Usage
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {requests.map((r) => (
                  <tr
                    key={r.id}
                    className="hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
                    data-testid="request-row"
                  >
                    <td className="px-4 py-3">
                      <StatusBadge
                        status={r.status}
                        approvals={r.approvals}
                        approvalsRequired={r.plan.approvalsRequired}
                        startsAt={r.startsAt}
                      />
                      <HandoffNote
                        handoff={handoffStatus(r)}
                        audience="requester"
                        className="mt-1 max-w-56 text-xs"
                      />
                      <ExpiryNote
                        requestId={r.id}
                        what={r.products.map((p) => p.name).join(", ")}
                        expiry={r.status === "available" ? expiry.get(r.id) : undefined}
                      />
                    </td>
                    <td className="px-4 py-3">
                      <Link
                        href={`/requests/${r.id}`}
                        className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                      >
                        <TypedList names={r.products.map((p) => p.name)} />
                      </Link>
                    </td>
                    <td className="px-4 py-3">{r.appName}</td>
                    <td className="px-4 py-3">{r.plan.name}</td>
                    <td className="px-4 py-3 whitespace-nowrap">{formatDate(r.createdAt)}</td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      {formatDuration(r.durationDays)}
                    </td>
                    <td className="px-4 py-3" data-testid="request-usage">
                      <UsageAtAGlance recent={recent.get(r.id)} quota={quotas.get(r.id)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

/** An available access's key expiry, with Extend (on the request page) or the extension waiting. */
function ExpiryNote({
  requestId,
  what,
  expiry,
}: {
  requestId: string;
  what: string;
  expiry?: { expiresAt: Date | null; extensionPending: boolean };
}) {
  if (!expiry?.expiresAt) return null;
  return (
    <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400" data-testid="request-expiry">
      {`Expires ${formatDate(expiry.expiresAt)}`}
      {" · "}
      {expiry.extensionPending ? (
        <span>More time asked for</span>
      ) : (
        <Link
          href={`/requests/${requestId}#extend`}
          aria-label={`Extend access to ${what}`}
          className="text-indigo-700 underline dark:text-indigo-400"
        >
          Extend
        </Link>
      )}
    </p>
  );
}

/** A working access's calls today and this month against its quota; a dash for the others. */
function UsageAtAGlance({ recent, quota }: { recent?: RecentCalls; quota?: QuotaUse }) {
  if (!recent || !quota) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  return (
    <div className="sm:min-w-48">
      <p className="whitespace-nowrap">
        {new Intl.NumberFormat("en-GB").format(recent.today)}{" "}
        {recent.today === 1 ? "call" : "calls"} today
      </p>
      <QuotaBar quota={quota} className="mt-1 text-zinc-600 dark:text-zinc-400" />
    </div>
  );
}
