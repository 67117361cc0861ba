import { and, asc, count, eq, gte, isNull, sql } from "drizzle-orm";
import type { Metadata } from "next";
import Link from "next/link";
import { DailyBarChart } from "@/components/charts/daily-bar-chart";
import { DECISION_STYLES, OUTCOME_STYLES } from "@/components/charts/palettes";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { accessRequests, auditEvents, users } from "@/db/schema";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { requestsVisibleTo } from "@/lib/auth/permissions";
import { formatDateTime } from "@/lib/format";
import { decisionsPerDay, usageOfPortal } from "@/lib/usage/queries";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminHome() {
  const user = await requireRole(APPROVER_ROLES, "/admin");
  const scope = requestsVisibleTo(user);
  const startOfDay = new Date(new Date().toISOString().slice(0, 10));
  const weekAgo = new Date(Date.now() - 7 * 86_400_000);
  const [[pending], [decidedToday], [autoWeek], [oldest], decisions, calls] = await Promise.all([
    db.select({ n: count() }).from(accessRequests).where(and(eq(accessRequests.status, "pending"), scope)),
    db
      .select({ n: count() })
      .from(accessRequests)
      .where(and(gte(accessRequests.decidedAt, startOfDay), scope)),
    db
      .select({ n: count() })
      .from(auditEvents)
      .innerJoin(accessRequests, eq(accessRequests.id, auditEvents.subjectId))
      .where(
        and(
          eq(auditEvents.subjectType, "request"),
          eq(auditEvents.actorType, "auto-approve"),
          gte(auditEvents.createdAt, weekAgo),
          isNull(auditEvents.actorId),
          scope,
        ),
      ),
    db
      .select({
        id: accessRequests.id,
        createdAt: accessRequests.createdAt,
        requester: sql<string>`coalesce(${users.name}, ${users.email})`,
        planName: sql<string>`${accessRequests.plan}->>'name'`,
      })
      .from(accessRequests)
      .innerJoin(users, eq(users.id, accessRequests.requesterId))
      .where(and(eq(accessRequests.status, "pending"), scope))
      .orderBy(asc(accessRequests.createdAt))
      .limit(1),
    decisionsPerDay(db, user),
    usageOfPortal(db, user),
  ]);
  const stats = [
    { label: "Pending", value: pending?.n ?? 0, href: "/admin/requests" },
    { label: "Decided today", value: decidedToday?.n ?? 0, href: "/admin/requests?status=all&sort=createdAt&dir=desc" },
    { label: "Auto-approved this week", value: autoWeek?.n ?? 0, href: "/admin/requests?status=approved&dir=desc" },
  ];
  return (
    <>
      <PageHeader
        title="Admin portal"
        description={`Signed in as ${user.name ?? user.email} (${user.role}). ${user.role === "owner" ? "You see requests for your products." : "You see every request."}`}
      />
      <div className="grid gap-4 sm:grid-cols-3">
        {stats.map((s) => (
          <Link key={s.label} href={s.href} className="rounded-lg focus-visible:outline-2 focus-visible:outline-indigo-500">
            <Card className="h-full hover:border-indigo-300">
              <p className="text-sm text-zinc-500 dark:text-zinc-400">{s.label}</p>
              <p className="mt-1 text-3xl font-semibold" data-testid={`stat-${s.label}`}>
                {s.value}
              </p>
            </Card>
          </Link>
        ))}
      </div>
      <Card className="mt-6">
        <h2 className="font-semibold">Oldest waiting request</h2>
        {oldest ? (
          <p className="mt-2 text-sm">
            <Link href={`/admin/requests?open=${oldest.id}`} className="text-indigo-600 dark:text-indigo-400 underline">
              {oldest.requester} · {oldest.planName}
            </Link>{" "}
            — waiting since {formatDateTime(oldest.createdAt)}
          </p>
        ) : (
          <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">Nothing is waiting. New requests appear here.</p>
        )}
      </Card>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        {decisions ? (
          <Card>
            <DailyBarChart
              title="Requests decided per day"
              series={decisions}
              styles={DECISION_STYLES}
              unit={["request", "requests"]}
              empty="No request was decided in the last 30 days."
              testId="decisions-chart"
            />
          </Card>
        ) : null}
        {calls ? (
          <Card>
            <DailyBarChart
              title={user.role === "admin" ? "Calls per day" : "Calls per day to your products"}
              series={calls}
              styles={OUTCOME_STYLES}
              unit={["call", "calls"]}
              empty="No calls in the last 30 days. Calls appear here once gateways verify keys."
              testId="calls-chart"
            />
          </Card>
        ) : null}
      </div>
    </>
  );
}
