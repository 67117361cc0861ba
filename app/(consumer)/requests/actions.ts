"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { claimOwnCredential, claimOwnKeySchema } from "@/lib/keys/claim-own-key";
import { revealedClient } from "@/lib/oauth/clients";
import { checkInRequest, resendClaimLink, rollKey } from "@/lib/keys/key-lifecycle";
import { extendRequest, extendRequestSchema } from "@/lib/requests/extend-request";
import { graceChoiceSchema } from "@/lib/keys/roll-grace";
import { cancelRequest, removeRequest, resubmitRequest } from "@/lib/requests/requester-actions";
import { consumerRedirect } from "@/lib/webhooks/redirect-consumer";

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

const rollSchema = requestIdSchema.extend({ keyId: z.uuid("That key does not exist."), graceHours: graceChoiceSchema });

// Rolling mints a new working key, shown once: a privileged action (step-up), or a stolen session
// cookie alone would hand the thief a fresh credential for the victim's access. The grace chosen is
// capped by the plan inside rollKey, whatever the form sent.
export const rollKeyAction = validatedActionWithUser(
  rollSchema,
  async ({ requestId, keyId, graceHours }, user) => {
    const { plaintext, key, oldKeyEndsAt } = await rollKey(db, user.id, { requestId, keyId }, {
      prefix: env.keyPrefix,
      graceHours,
      baseUrl: env.baseUrl,
    });
    // No revalidatePath: re-rendering the page now would unmount the one view of the new key.
    return {
      ok: true,
      message: "New key created.",
      revealedKey: {
        plaintext,
        start: key.start,
        expiresAt: key.expiresAt?.toISOString() ?? null,
        requestId,
        note: graceHours === 0 ? "the previous key stopped working" : `the previous key keeps working until ${formatDateTime(oldKeyEndsAt)}`,
      },
    };
  },
  { stepUp: true },
);

/**
 * Generate key on the request page: the requester's own one-time claim, without the emailed token
 * (lib/keys/claim-own-key.ts). It mints a credential, so it asks for a second factor as the claim does.
 */
export const generateKeyAction = validatedActionWithUser(
  claimOwnKeySchema,
  async ({ requestId }, user) => {
    const claimed = await claimOwnCredential(db, user, { requestId }, { prefix: env.keyPrefix, baseUrl: env.baseUrl });
    // No revalidatePath: re-rendering the page now would unmount the one view of the key (or secret).
    if (claimed.kind === "oauth_client") {
      // An OAuth 2.0 product's request: a client id and secret, shown once, with the token call, as the claim page shows it.
      return {
        ok: true,
        message: "OAuth client created. Copy its secret now: it is shown only this once.",
        revealedClient: revealedClient(claimed, env.baseUrl),
      };
    }
    const { plaintext, key } = claimed;
    return {
      ok: true,
      message: "Key generated. Copy it now: it is shown only this once.",
      revealedKey: { plaintext, start: key.start, expiresAt: key.expiresAt?.toISOString() ?? null, requestId },
    };
  },
  { stepUp: true },
);

export const checkInAction = validatedActionWithUser(requestIdSchema, async ({ requestId }, user) => {
  await checkInRequest(db, user.id, requestId);
  revalidatePath("/requests");
  revalidatePath(`/requests/${requestId}`);
  return { ok: true, message: "Access given up (checked in). The key no longer works; request access again from the catalogue if you need it later." };
});

export const resendClaimLinkAction = validatedActionWithUser(requestIdSchema, async ({ requestId }, user) => {
  await resendClaimLink(db, user.id, requestId, env.baseUrl);
  revalidatePath(`/requests/${requestId}`);
  return { ok: true, message: `A new claim link is on its way to ${user.email}. Earlier links no longer work.` };
});

/** Back to the third party a redirecting plan sends to, with a fresh signed reference (the last one may have expired). */
export const continueHandoffAction = validatedActionWithUser(requestIdSchema, async ({ requestId }, user) => {
  const target = await consumerRedirect(db, { requestId, requesterId: user.id, issuer: env.baseUrl });
  if (!target) return { ok: false, message: "This request no longer waits for a third party. Reload the page to see where it stands." };
  redirect(target);
});

/** Extend: more time for an available access whose key expires (lib/requests/extend-request.ts). */
export const extendRequestAction = validatedActionWithUser(extendRequestSchema, async (input, user) => {
  const { extension } = await extendRequest(db, user, input, { baseUrl: env.baseUrl });
  revalidatePath("/requests");
  revalidatePath(`/requests/${input.requestId}`);
  return extension.status === "completed"
    ? { ok: true, message: "Extended: the plan approves extensions automatically. The same key keeps working; its new expiry is shown below." }
    : { ok: true, message: "More time asked for. The API owners have been notified; you will get an email when they decide. Your key works as before meanwhile." };
});
