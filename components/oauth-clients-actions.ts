"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { graceChoiceSchema } from "@/lib/keys/roll-grace";
import { endClient, registerClientKey, rollClientSecret } from "@/lib/oauth/client-lifecycle";

const id = z.uuid("This client id is not valid. Reload the page.");

/** Roll a client's secret: the new one is shown once; the old one works for the chosen grace. Privileged (step-up). */
export const rollClientAction = validatedActionWithUser(
  z.object({ id, appId: z.uuid(), graceHours: graceChoiceSchema }),
  async ({ id: clientId, appId, graceHours }, user) => {
    const { clientSecret, previousValidUntil } = await rollClientSecret(db, user.id, { id: clientId, graceHours });
    revalidatePath(`/apps/${appId}`);
    return {
      ok: true,
      message: previousValidUntil ? "New client secret created. The old one keeps working for the grace period." : "New client secret created. The old one stopped working.",
      revealedKey: { plaintext: clientSecret, start: clientSecret.slice(0, 8), expiresAt: null, requestId: "", note: "client secret" },
    };
  },
  { stepUp: true },
);

/** Register a public key (JWK or PEM) for private_key_jwt; the client's secret stops at once. Privileged. */
export const registerClientKeyAction = validatedActionWithUser(
  z.object({ id, appId: z.uuid(), publicKey: z.string().trim().min(1, "Paste a public key (JWK or PEM).").max(16_384) }),
  async ({ id: clientId, appId, publicKey }, user) => {
    await registerClientKey(db, user.id, { id: clientId, publicKey });
    revalidatePath(`/apps/${appId}`);
    return { ok: true, message: "Public key registered. The client now authenticates with private_key_jwt; its secret no longer works." };
  },
  { stepUp: true },
);

/** Check in (done with it) or revoke (it leaked): the client and its tokens stop at once at verify. Privileged. */
export const endClientAction = validatedActionWithUser(
  z.object({ id, appId: z.uuid(), reason: z.enum(["revoked", "checked_in"]) }),
  async ({ id: clientId, appId, reason }, user) => {
    await endClient(db, user.id, { id: clientId, reason });
    revalidatePath(`/apps/${appId}`);
    return {
      ok: true,
      message:
        reason === "revoked"
          ? "Client revoked. Verify refuses its tokens from the next call; gateways that only check the token's signature accept it until it expires (at most 10 minutes)."
          : "Client checked in. It gets no new tokens and verify refuses its tokens from now on.",
    };
  },
  { stepUp: true },
);
