import { and, ne, sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { plans } from "@/db/schema";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { DomainError } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/sql/unique-violation";
import { type PlanFields, planSchema } from "./plan-schema";

const nameTaken = () =>
  new DomainError("invalid", "Check the highlighted fields.", { name: "A plan with that name already exists. Choose another name." });

/** Domain functions parse again, so any caller gets the form's field messages and nothing written. */
export function parsePlan(input: unknown): PlanFields {
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}

/** Names are unique regardless of case, so "Free" and "free" never sit side by side in the catalogue. */
export async function assertNameFree(db: Queryable, name: string, exceptId: string | null) {
  const same = sql`lower(${plans.name}) = lower(${name})`;
  const [other] = await db
    .select({ id: plans.id })
    .from(plans)
    .where(exceptId ? and(same, ne(plans.id, exceptId)) : same)
    .limit(1);
  if (other) throw nameTaken();
}

/** A lost race on the unique index reads like the pre-check's answer. */
export const asNameTaken = (error: unknown): never => {
  if (isUniqueViolation(error, "plans_name_key")) throw nameTaken();
  throw error;
};

