"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { appIdSchema, appSchema } from "@/lib/apps/app-schema";
import { createApp } from "@/lib/apps/create-app";
import { deleteApp } from "@/lib/apps/delete-app";
import { updateApp } from "@/lib/apps/update-app";
import { getApp } from "@/lib/apps/get-app";
import { env } from "@/lib/env";
import { notFound } from "@/lib/errors";
import { checkKey, checkKeyInput } from "@/lib/keys/check-key";
import { describeCheck } from "@/lib/keys/describe-check";
import type { CheckKeyResult } from "@/components/keys/check-key-form";

export const createAppAction = validatedActionWithUser(appSchema, async (data, user) => {
  const app = await createApp(db, user.id, data);
  revalidatePath("/apps");
  return { ok: true, message: `Created “${app.name}”. Pick it in the cart when you request access.` };
});

export const updateAppAction = validatedActionWithUser(appSchema.extend({ id: appIdSchema }), async ({ id, ...data }, user) => {
  await updateApp(db, user.id, id, data);
  revalidatePath("/apps");
  revalidatePath(`/apps/${id}`);
  return { ok: true, message: "Saved." };
});

export const deleteAppAction = validatedActionWithUser(z.object({ id: appIdSchema }), async ({ id }, user) => {
  await deleteApp(db, user.id, id);
  revalidatePath("/apps");
  redirect("/apps?deleted=1");
});

const checkAppKey = validatedActionWithUser(checkKeyInput.required({ appId: true }), async ({ appId, key }, user) => {
  const app = await getApp(db, user.id, appId);
  if (!app) throw notFound("That app");
  const result = await checkKey(db, user, { appId, key }, { prefix: env.keyPrefix });
  const answer: CheckKeyResult = { ok: true, check: describeCheck(result, app.name) };
  return answer;
});

/** Check a key against this app (read only, not stepped up). The answer never echoes the key. */
export async function checkAppKeyAction(prev: CheckKeyResult | null, formData: FormData): Promise<CheckKeyResult> {
  const { values: _echo, ...answer } = await checkAppKey(prev, formData);
  return answer;
}
