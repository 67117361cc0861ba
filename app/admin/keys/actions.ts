"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { APPROVER_ROLES } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { checkKey, pastedKeySchema } from "@/lib/keys/check-key";
import { describeCheck } from "@/lib/keys/describe-check";
import type { CheckKeyResult } from "@/components/keys/check-key-form";
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
  async ({ requestId, reason }, actor) => {
    const { keysEnded, partlyRevoked } = await revokeRequests(db, actor, { requestIds: [requestId], reason, baseUrl: env.baseUrl });
    revalidatePath("/admin/keys");
    revalidatePath("/admin/requests");
    revalidatePath("/admin");
    if (partlyRevoked.length > 0) {
      return { ok: true, message: "Revoked for your products: the key stopped working for them and keeps working for the other owners' products. The requester has been emailed." };
    }
    return { ok: true, message: `Revoked. ${keysEnded === 1 ? "1 key stopped" : `${keysEnded} keys stopped`}; the requester has been emailed.` };
  },
  { roles: APPROVER_ROLES, stepUp: true },
);

const checkAnyKey = validatedActionWithUser(
  z.object({ key: pastedKeySchema }),
  async ({ key }, actor) => {
    const answer: CheckKeyResult = { ok: true, check: describeCheck(await checkKey(db, actor, { key }, { prefix: env.keyPrefix })) };
    return answer;
  },
  { roles: APPROVER_ROLES },
);

/** Check any key (admins), or a key of one's products (owners). Read only; the answer never echoes the key. */
export async function checkAnyKeyAction(prev: CheckKeyResult | null, formData: FormData): Promise<CheckKeyResult> {
  const { values: _echo, ...answer } = await checkAnyKey(prev, formData);
  return answer;
}
