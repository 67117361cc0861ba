import { and, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequests, apps } from "@/db/schema";
import { type Actor, requestsVisibleTo } from "@/lib/auth/permissions";
import type { DecisionOutcome, DecisionResult } from "@/lib/requests/decide-requests";
import { requestProductNames } from "@/lib/requests/product-names";

/** How many requests a summary names before it says "and N more". */
const NAMED = 5;

const doneWords: Partial<Record<DecisionResult, string>> = {
  approved: "Approved",
  denied: "Denied",
  "approval-recorded": "Approval recorded (waiting for other approvers or owners) on",
};

const problemWords: Partial<Record<DecisionResult, string>> = {
  "already-decided": "was already decided",
  "already-approved-by-you": "already had your approval",
  "not-found": "no longer exists or is not for your products",
};

export type NamedOutcomes = {
  /** One sentence per kind of result, e.g. "Approved 3: Payments API for Acme App, …". */
  done: string[];
  /** One line per request that was not decided, and why. */
  problems: string[];
};

/**
 * What a (bulk) decision did, in words that name the requests — "Payments API for Acme App" — so
 * the approver can check it was what they meant, with each request that was not decided and why.
 */
export async function nameOutcomes(
  db: Queryable,
  actor: Actor,
  outcomes: readonly DecisionOutcome[],
): Promise<NamedOutcomes> {
  const ids = outcomes.map((o) => o.requestId);
  const rows = ids.length
    ? await db
        .select({ id: accessRequests.id, appName: apps.name, productNames: requestProductNames() })
        .from(accessRequests)
        .innerJoin(apps, eq(apps.id, accessRequests.appId))
        .where(and(inArray(accessRequests.id, ids), requestsVisibleTo(actor)))
    : [];
  const names = new Map(rows.map((r) => [r.id, `${r.productNames.join(", ")} for ${r.appName}`]));
  const nameOf = (id: string) => names.get(id) ?? "A request";
  const done: string[] = [];
  for (const [result, word] of Object.entries(doneWords) as [DecisionResult, string][]) {
    const these = outcomes.filter((o) => o.result === result).map((o) => nameOf(o.requestId));
    if (these.length === 0) continue;
    const listed = these.slice(0, NAMED).join("; ");
    done.push(
      `${word} ${these.length}: ${listed}${these.length > NAMED ? `; and ${these.length - NAMED} more` : ""}.`,
    );
  }
  const problems = outcomes
    .filter((o) => problemWords[o.result])
    .map((o) => `${nameOf(o.requestId)} ${problemWords[o.result]}: not changed.`);
  return { done, problems };
}
