"use server";

import { refresh, revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedAction, validatedActionWithUser } from "@/lib/actions/validated-action";
import { addToAnonymousCart, addToCart, notAddedMessage, removeFromCart } from "@/lib/cart/cart-store";
import { anonymousPairs, mergeAnonymousCart, saveAnonymousPairs } from "@/lib/cart/session-cart";
import { env } from "@/lib/env";
import { cartFieldErrors, submitRequest } from "@/lib/requests/submit-request";
import { fieldAnswersFrom, submitRequestSchema } from "@/lib/requests/submit-schema";
import { consumerRedirect } from "@/lib/webhooks/redirect-consumer";

const pairSchema = z.object({
  productId: z.uuid("That product does not exist."),
  planId: z.uuid("That plan does not exist."),
});

// The cart's actions end with refresh(): their answer carries the page rendered again, the header's
// cart count with it, so a click is one request (a refresh from the browser after it was a second).
export const addToCartAction = validatedAction(pairSchema, async (pair, user) => {
  if (user) {
    const line = await addToCart(db, user.id, pair);
    revalidatePath("/cart");
    refresh();
    return { ok: true, message: `${line.productName} (${line.planName}) is in your cart.` };
  }
  const { line, pairs } = await addToAnonymousCart(db, await anonymousPairs(), pair);
  await saveAnonymousPairs(pairs);
  refresh();
  return { ok: true, message: `${line.productName} (${line.planName}) is in your cart. Sign in to submit it.` };
});

export const removeFromCartAction = validatedAction(pairSchema, async (pair, user) => {
  if (user) await removeFromCart(db, user.id, pair);
  else {
    const pairs = await anonymousPairs();
    await saveAnonymousPairs(pairs.filter((p) => !(p.productId === pair.productId && p.planId === pair.planId)));
  }
  revalidatePath("/cart");
  refresh();
  return { ok: true, message: "Removed from your cart." };
});

export const mergeCartAction = validatedActionWithUser(z.object({}), async (_data, user) => {
  const { skipped } = await mergeAnonymousCart(user);
  revalidatePath("/cart");
  refresh();
  const message = notAddedMessage(skipped);
  return message ? { ok: true, message } : { ok: true };
});

export const submitRequestAction = validatedActionWithUser(
  submitRequestSchema,
  async (input, user, raw) => {
    const request = await submitRequest(db, { userId: user.id, baseUrl: env.baseUrl }, input, fieldAnswersFrom(raw));
    revalidatePath("/requests");
    revalidatePath("/cart");
    // A plan that redirects (lib/webhooks/redirect-consumer.ts) sends the consumer on to its third
    // party with a signed reference; the request waits there, pending. A submit is one request.
    const handoff = await consumerRedirect(db, { requestId: request.id, requesterId: user.id, issuer: env.baseUrl });
    redirect(handoff ?? `/requests/${request.id}?submitted=1`);
  },
  // A form refused for its reason or app also names the plan's unanswered questions and limits.
  { moreFieldErrors: (raw, user) => cartFieldErrors(db, user.id, raw) },
);
