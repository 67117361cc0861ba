import type { Metadata } from "next";
import { EmailText } from "@/components/email-text";
import { Link } from "@/components/ui/link";
import { type ComponentProps, Suspense } from "react";
import { DailyBarChart } from "@/components/charts/daily-bar-chart";
import { DECISION_STYLES, OUTCOME_STYLES } from "@/components/charts/palettes";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db, indexOrderDb } from "@/db/client";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { formatCappedCount, formatDateTime } from "@/lib/format";
import { figureFailed, overviewFigures } from "@/lib/admin/overview";
import { type DailySeries, decisionsPerDay, usageOfPortal } from "@/lib/usage/queries";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminHome() {
  const user = await requireRole(APPROVER_ROLES, "/admin");
  // Asked now, shown when they answer (below, in Suspense): they need not wait for the figures.
  const decisions = decisionsPerDay(db, user).catch(figureFailed("decisions per day"));
  const calls = usageOfPortal(db, user).catch(figureFailed("calls per day"));
  const { pending, decidedToday, autoWeek, oldest } = await overviewFigures(db, indexOrderDb, user);
  const stats = [
    { label: "Pending", value: pending, href: "/admin/requests" },
    { label: "Decided today", value: decidedToday, href: "/admin/requests?status=all&sort=createdAt&dir=desc" },
    { label: "Auto-approved this week", value: autoWeek, href: "/admin/requests?status=approved&dir=desc" },
  ];
  return (
    <>
      <PageHeader
        title="Admin portal"
        description={
          <>
            Signed in as <EmailText text={user.name ?? user.email} /> ({user.role}).{" "}
            {user.role === "owner" ? "You see requests for your products." : "You see every request."}
          </>
        }
      />
      <div className="grid gap-4 sm:grid-cols-3">
        {stats.map((s) => (
          <Link key={s.label} href={s.href} className="rounded-lg focus-visible:outline-2 focus-visible:outline-indigo-500">
            <Card className="h-full hover:border-indigo-300">
              <p className="text-sm text-zinc-500 dark:text-zinc-400">{s.label}</p>
              <p className="mt-1 text-3xl font-semibold" data-testid={`stat-${s.label}`}>
                {s.value ? formatCappedCount(s.value) : <span aria-hidden="true">—</span>}
              </p>
              {s.value ? null : (
                <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
                  Could not be counted just now. Reload the page to try again.
                </p>
              )}
            </Card>
          </Link>
        ))}
      </div>
      <Card className="mt-6">
        <h2 className="font-semibold">Oldest waiting request</h2>
        {oldest === undefined ? (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            It could not be looked up just now. Reload the page to try again.
          </p>
        ) : oldest ? (
          <p className="mt-2 text-sm">
            <Link href={`/admin/requests?open=${oldest.id}`} className="text-indigo-600 dark:text-indigo-400 underline">
              <EmailText text={oldest.requester} /> · {oldest.planName}
            </Link>{" "}
            — waiting since {formatDateTime(oldest.createdAt)}
          </p>
        ) : (
          <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">Nothing is waiting. New requests appear here.</p>
        )}
      </Card>
      {/* The charts read 30 days of decisions and calls (0.2–0.9 s for a busy owner at 1,000,000
          requests): they stream in after the figures above, and one that fails says so alone. */}
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Suspense fallback={<ChartPending title="Requests decided per day" />}>
          <StreamedChart
            title="Requests decided per day"
            series={decisions}
            styles={DECISION_STYLES}
            unit={["request", "requests"]}
            empty="No request was decided in the last 30 days."
            testId="decisions-chart"
          />
        </Suspense>
        <Suspense fallback={<ChartPending title={callsTitle(user)} />}>
          <StreamedChart
            title={callsTitle(user)}
            series={calls}
            styles={OUTCOME_STYLES}
            unit={["call", "calls"]}
            empty="No calls in the last 30 days. Calls appear here once gateways verify keys."
            testId="calls-chart"
          />
        </Suspense>
      </div>
    </>
  );
}

type Approver = Awaited<ReturnType<typeof requireRole>>;

const callsTitle = (user: Approver) => (user.role === "admin" ? "Calls per day" : "Calls per day to your products");

/** A chart whose series streams in: the failure card if its query failed, nothing if it has none for this person. */
async function StreamedChart<K extends string>({
  series,
  ...chart
}: Omit<ComponentProps<typeof DailyBarChart<K>>, "series"> & { series: Promise<DailySeries<K> | null | undefined> }) {
  const resolved = await series;
  if (resolved === undefined) return <ChartFailed title={chart.title} />;
  if (!resolved) return null;
  return (
    <Card>
      <DailyBarChart {...chart} series={resolved} />
    </Card>
  );
}

function ChartPending({ title }: { title: string }) {
  return (
    <Card aria-busy="true">
      <h2 className="font-semibold">{title}</h2>
      <div className="mt-4 h-40 animate-pulse rounded bg-zinc-100 motion-reduce:animate-none dark:bg-zinc-800" />
      <p className="sr-only">Loading the chart…</p>
    </Card>
  );
}

function ChartFailed({ title }: { title: string }) {
  return (
    <Card role="status">
      <h2 className="font-semibold">{title}</h2>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">This chart could not be loaded just now. Reload the page to try again.</p>
    </Card>
  );
}
