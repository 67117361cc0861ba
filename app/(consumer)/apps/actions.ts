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
