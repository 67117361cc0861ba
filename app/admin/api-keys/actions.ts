"use server";

import { revalidatePath } from "next/cache";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { addApiKeySchema, editApiKeySchema, removeApiKeySchema } from "@/lib/api-access/key-form";
import { createApiAccessKey, removeApiAccessKey, updateApiAccessKey } from "@/lib/api-access/manage";
import { env } from "@/lib/env";

const ADMINS = ["admin"] as const;

/**
 * Add: the token travels only in this response, to the dialog that shows it once; it is not in a
 * redirect, a cookie, the database or a log.
 */
export const addApiKeyAction = validatedActionWithUser(
  addApiKeySchema,
  async ({ name, expiry, customDays, roles }, actor) => {
    const { key, token } = await createApiAccessKey(db, actor, { name, expiry, customDays, roles, issuer: env.baseUrl });
    revalidatePath("/admin/api-keys");
    return {
      ok: true,
      id: key.id,
      message: `Added ${key.name}. Copy its token now.`,
      revealedAccessKey: { name: key.name, token, expiresAt: key.expiresAt.toISOString() },
    };
  },
  { roles: ADMINS, stepUp: true },
);

export const editApiKeyAction = validatedActionWithUser(
  editApiKeySchema,
  async ({ id, roles }, actor) => {
    const key = await updateApiAccessKey(db, actor, { keyId: id, roles });
    revalidatePath("/admin/api-keys");
    revalidatePath(`/admin/api-keys/${id}`);
    return { ok: true, id, message: `Saved. ${key.name} works with these roles from its next call.` };
  },
  { roles: ADMINS, stepUp: true },
);

export const removeApiKeyAction = validatedActionWithUser(
  removeApiKeySchema,
  async ({ id }, actor) => {
    const key = await removeApiAccessKey(db, actor, { keyId: id });
    revalidatePath("/admin/api-keys");
    revalidatePath(`/admin/api-keys/${id}`);
    return { ok: true, id, message: `Removed ${key.name}. Its token is refused from now on.` };
  },
  { roles: ADMINS, stepUp: true },
);
