"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { APPROVER_ROLES } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { NUL_MESSAGE, noNul } from "@/lib/validation";

const revokeSchema = z.object({
  requestId: z.uuid("That request does not exist."),
  reason: z
    .string({ error: "Say why the access is revoked: the requester is told." })
    .trim()
    .min(1, "Say why the access is revoked: the requester is told.")
    .max(2000, "Keep the reason under 2,000 characters.")
    .refine(noNul, NUL_MESSAGE),
});

/** Revoke = deny after approval: the request's keys stop at once and the requester is emailed. */
export const revokeAction = validatedActionWithUser(
  revokeSchema,
  async ({ requestId, reason }, user) => {
    const { keysEnded } = await revokeRequests(db, { approver: user, baseUrl: env.baseUrl }, { requestIds: [requestId], reason });
    revalidatePath("/admin/keys");
    revalidatePath("/admin/requests");
    revalidatePath("/admin");
    return { ok: true, message: `Revoked. ${keysEnded === 1 ? "1 key stopped" : `${keysEnded} keys stopped`}; the requester has been emailed.` };
  },
  { roles: APPROVER_ROLES },
);
