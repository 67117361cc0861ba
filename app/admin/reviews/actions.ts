"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { APPROVER_ROLES } from "@/lib/auth/guards";
import { MAX_REVIEW_BULK, markReviewed, summarizeReview } from "@/lib/reviews/mark-reviewed";
import { NUL_MESSAGE, noNul } from "@/lib/validation";

const reviewSchema = z.object({
  reviewIds: z
    .string()
    .max(MAX_REVIEW_BULK * 37)
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(
      z
        .array(z.uuid("One of the selected reviews does not exist."))
        .min(1, "Select at least one decision to mark reviewed.")
        .max(MAX_REVIEW_BULK, `Mark at most ${MAX_REVIEW_BULK} at once.`),
    ),
  comment: z.string().trim().max(2000, "Keep the comment under 2,000 characters.").refine(noNul, NUL_MESSAGE).optional(),
});

export const markReviewedAction = validatedActionWithUser(
  reviewSchema,
  async ({ reviewIds, comment }, actor) => {
    const result = await markReviewed(db, actor, { reviewIds, comment });
    revalidatePath("/admin/reviews");
    return { ok: result.reviewed > 0, message: summarizeReview(result) };
  },
  { roles: APPROVER_ROLES },
);
