"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { userPreferences } from "@/db/schema";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { QUEUE_COLUMNS } from "@/lib/admin/queue-params";
import { nameOutcomes } from "@/lib/admin/queue-outcomes";
import { APPROVER_ROLES } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { NUL_MESSAGE, noNul } from "@/lib/validation";
import { DENY_NEEDS_REASON, decideRequests, MAX_BULK, summarizeOutcomes } from "@/lib/requests/decide-requests";

const decisionSchema = z.object({
  decision: z.enum(["approve", "deny"], { error: "Choose approve or deny." }),
  requestIds: z
    .string()
    .max(MAX_BULK * 37)
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(
      z
        .array(z.uuid("One of the selected requests does not exist."))
        .min(1, "Select at least one request.")
        .max(MAX_BULK, `Decide at most ${MAX_BULK} requests at once.`),
    ),
  comment: z.string().trim().max(2000, "Keep the comment under 2,000 characters.").refine(noNul, NUL_MESSAGE).optional(),
}).refine((d) => d.decision !== "deny" || Boolean(d.comment), {
  path: ["comment"],
  message: DENY_NEEDS_REASON,
});

export const decideAction = validatedActionWithUser(
  decisionSchema,
  async ({ decision, requestIds, comment }, actor) => {
    const outcomes = await decideRequests(db, actor, { requestIds, decision, comment, baseUrl: env.baseUrl });
    revalidatePath("/admin/requests");
    revalidatePath("/admin");
    const done = outcomes.filter((o) => ["approved", "denied", "approval-recorded"].includes(o.result)).length;
    // Named: "Approved 3: Payments API for Acme App; …", then one line per request left unchanged.
    const named = await nameOutcomes(db, actor, outcomes).catch(() => null);
    const message = named ? [...named.done, ...named.problems].join("\n") : `${summarizeOutcomes(outcomes)}.`;
    return { ok: done > 0, message };
  },
  { roles: APPROVER_ROLES, stepUp: true },
);

const columnsSchema = z.object({
  hidden: z
    .string()
    .max(500)
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(
      z
        .array(z.enum(QUEUE_COLUMNS))
        .refine((hidden) => new Set(hidden).size < QUEUE_COLUMNS.length, "Keep at least one column visible."),
    ),
});

export const saveQueueColumnsAction = validatedActionWithUser(
  columnsSchema,
  async ({ hidden }, user) => {
    await db
      .insert(userPreferences)
      .values({ userId: user.id, preferences: { queueHiddenColumns: hidden } })
      .onConflictDoUpdate({ target: userPreferences.userId, set: { preferences: { queueHiddenColumns: hidden }, updatedAt: new Date() } });
    return { ok: true };
  },
  { roles: APPROVER_ROLES },
);
