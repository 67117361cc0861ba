"use server";

import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { env } from "@/lib/env";
import { claimCredential } from "@/lib/keys/claim-key";
import { revealedClient } from "@/lib/oauth/clients";

const claimSchema = z.object({ token: z.string().max(200) });

/**
 * POST of the confirmation page: uses the link, creates the key and returns it once. It mints a
 * credential, so a person with an authenticator enters a code first (step-up): the emailed link
 * and a session won by a magic link, i.e. the mailbox alone, are not enough.
 */
export const claimKeyAction = validatedActionWithUser(
  claimSchema,
  async ({ token }, user) => {
    const claimed = await claimCredential(db, token, user.id, { prefix: env.keyPrefix, baseUrl: env.baseUrl });
    if (claimed.kind === "oauth_client") {
      // An OAuth 2.0 product's request: a client id and secret, shown once, with the token call (lib/oauth).
      return {
        ok: true,
        message: "OAuth client created.",
        revealedClient: revealedClient(claimed, env.baseUrl),
      };
    }
    const { plaintext, key, requestId } = claimed;
    // No revalidatePath: it would re-render this page (now "link used") and unmount the key.
    return {
      ok: true,
      message: "Key created.",
      revealedKey: { plaintext, start: key.start, expiresAt: key.expiresAt?.toISOString() ?? null, requestId },
    };
  },
  { stepUp: true },
);
