import { and, asc, count, eq, gte, isNull, sql } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/connect";
import { accessRequests, auditEvents, users } from "@/db/schema";
import { type Actor, requestsVisibleTo } from "@/lib/auth/permissions";
import { describeError } from "@/lib/describe-error";
import { parseQueueParams } from "./queue-params";
import { COUNT_CAP, cappedTotal, countQueue } from "./queue-query";

type Capped = { total: number; capped: boolean };

/**
 * The admin overview's figures, each asked on its own: one that fails (a cold database past its
 * deadline, at 1,000,000 requests) is `undefined` and logged, and the others still stand, where
 * one failure used to fail the whole page. Counted as the queue counts (up to COUNT_CAP, then
 * "1,000+"): exact counts of an owner's share of 1,000,000 requests took 0.65 s (pending) and
 * 0.93 s (decided today). `queueDb` is the queue's pool (db/client.ts: indexOrderDb).
 */
export async function overviewFigures(db: Queryable, queueDb: Queryable, actor: Actor, now = new Date()) {
  const scope = requestsVisibleTo(actor);
  const startOfDay = new Date(now.toISOString().slice(0, 10));
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const [pending, decidedToday, autoWeek, oldest] = await Promise.all([
    countQueue(queueDb, actor, parseQueueParams({})).catch(figureFailed("pending count")),
    cappedCount(db, db.select({ one: sql`1` }).from(accessRequests).where(and(gte(accessRequests.decidedAt, startOfDay), scope)).$dynamic()).catch(
      figureFailed("decided today"),
    ),
    cappedCount(
      db,
      db
        .select({ one: sql`1` })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.subjectType, "request"),
            eq(auditEvents.actorType, "auto-approve"),
            gte(auditEvents.createdAt, weekAgo),
            isNull(auditEvents.actorId),
            requestsVisibleTo(actor, auditEvents.subjectId),
          ),
        )
        .$dynamic(),
    ).catch(figureFailed("auto-approved this week")),
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
      .limit(1)
      // null: nothing is waiting; undefined: it could not be read.
      .then(([row]) => row ?? null, figureFailed("oldest waiting request")),
  ]);
  return { pending, decidedToday, autoWeek, oldest };
}

/** Rows of `query` counted up to COUNT_CAP: past it the figure reads "1,000+". */
async function cappedCount(db: Queryable, query: PgSelect): Promise<Capped> {
  const [row] = await db.select({ n: count() }).from(query.limit(COUNT_CAP + 1).as("capped"));
  return cappedTotal(row?.n ?? 0);
}

/** Logs by code, never the message (a driver error lists the query's parameters); undefined marks the failure. */
export const figureFailed = (what: string) => (error: unknown) => {
  console.error(`admin overview: ${what} failed: ${describeError(error)}`);
  return undefined;
};
