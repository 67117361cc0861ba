"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { env } from "@/lib/env";
import { cancelRequest, removeRequest, resubmitRequest } from "@/lib/requests/requester-actions";

const requestIdSchema = z.object({ requestId: z.uuid("That request does not exist.") });

export const cancelRequestAction = validatedActionWithUser(requestIdSchema, async ({ requestId }, user) => {
  await cancelRequest(db, user.id, requestId);
  revalidatePath("/requests");
  revalidatePath(`/requests/${requestId}`);
  return { ok: true, message: "Request cancelled." };
});

export const resubmitRequestAction = validatedActionWithUser(requestIdSchema, async ({ requestId }, user) => {
  const created = await resubmitRequest(db, { userId: user.id, baseUrl: env.baseUrl }, requestId);
  revalidatePath("/requests");
  redirect(`/requests/${created.id}?resubmitted=1`);
});

export const removeRequestAction = validatedActionWithUser(requestIdSchema, async ({ requestId }, user) => {
  await removeRequest(db, user.id, requestId);
  revalidatePath("/requests");
  redirect("/requests?removed=1");
});
