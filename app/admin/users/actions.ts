"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { userRole } from "@/db/schema";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { env } from "@/lib/env";
import { resetSecondFactor } from "@/lib/second-factor/factor";
import { changeRole, setDisabled } from "@/lib/users/user-admin";

// Roles and disabling are privileged: a code from the authenticator within 15 minutes (step-up).
const ADMIN = { roles: ["admin"] as const, stepUp: true };

const roleSchema = z.object({
  userId: z.uuid("That user does not exist."),
  role: z.enum(userRole.enumValues, { error: "Choose consumer, owner or admin." }),
});

export const changeRoleAction = validatedActionWithUser(
  roleSchema,
  async ({ userId, role }, actor) => {
    await changeRole(db, actor, { userId, role });
    revalidatePath("/admin/users");
    return { ok: true, message: `Role changed to ${role}.` };
  },
  ADMIN,
);

const disableSchema = z.object({
  userId: z.uuid("That user does not exist."),
  disabled: z.enum(["true", "false"], { error: "Choose disable or enable." }).transform((v) => v === "true"),
  revokeKeys: z
    .enum(["on"])
    .optional()
    .transform((v) => v === "on"),
});

export const setDisabledAction = validatedActionWithUser(
  disableSchema,
  async ({ userId, disabled, revokeKeys }, actor) => {
    const ended = await setDisabled(db, actor, { userId, disabled, revokeKeys, baseUrl: env.baseUrl });
    revalidatePath("/admin/users");
    return { ok: true, message: disabled ? disabledMessage(ended, revokeKeys) : "Enabled: they can sign in again." };
  },
  ADMIN,
);

const resetSchema = z.object({ userId: z.uuid("That user does not exist."), email: z.string().max(320).optional() });

/** A lost phone: the person's authenticator and recovery codes are removed and they are emailed. */
export const resetAuthenticatorAction = validatedActionWithUser(
  resetSchema,
  async ({ userId, email }, actor) => {
    await resetSecondFactor(db, actor, { userId, baseUrl: env.baseUrl });
    revalidatePath("/admin/users");
    const who = email ?? "They";
    return {
      ok: true,
      message: `Reset: ${who} no longer has an authenticator and has been emailed. If the policy covers them, they set up a new one at their next sign-in.`,
    };
  },
  ADMIN,
);

/**
 * What the disable did, in the row and its toast. Kept keys are named only when there are some: "Any
 * keys they have keep working" read as a warning after a dialog that had said they had none.
 */
function disabledMessage(ended: { cancelledRequests: number; revokedKeys: number; keptKeys: number }, revokeKeys: boolean) {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts = ["Disabled; their sessions have ended."];
  if (ended.cancelledRequests > 0) parts.push(`${n(ended.cancelledRequests, "open request", "open requests")} cancelled.`);
  if (revokeKeys) parts.push(`${n(ended.revokedKeys, "key", "keys")} revoked.`);
  else if (ended.keptKeys > 0) parts.push(`${n(ended.keptKeys, "working key", "working keys")} kept.`);
  if (ended.cancelledRequests > 0 || ended.revokedKeys > 0) parts.push("They are emailed a summary.");
  return parts.join(" ");
}
