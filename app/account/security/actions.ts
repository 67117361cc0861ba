"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { env } from "@/lib/env";
import { enteredCodeSchema, totpCodeSchema } from "@/lib/second-factor/codes";
import { beginSetup, confirmSetup, regenerateRecoveryCodes, removeSecondFactor } from "@/lib/second-factor/factor";
import { currentSessionToken } from "@/lib/auth/guards";

const PAGE = "/account/security";
// Every action here is allowed to a person the policy covers who has no authenticator yet: this
// page is where they set one up.
const own = { beforeSecondFactor: true } as const;

/** Starts (or restarts) a setup: the page then shows its QR code, valid for 5 minutes. */
export const beginSetupAction = validatedActionWithUser(
  z.object({}),
  async (_data, user) => {
    // The setup belongs to this session: only it is shown the secret again and may confirm it.
    const inSession = { now: new Date(), sessionToken: await currentSessionToken() };
    await beginSetup(db, user, inSession);
    revalidatePath(PAGE);
    return { ok: true, message: "Scan the QR code with your authenticator app, then enter two successive codes." };
  },
  own,
);

const confirmSchema = z.object({ firstCode: totpCodeSchema, secondCode: totpCodeSchema });

/** Two successive codes confirm the setup; the 10 recovery codes come back once, in this answer only. */
export const confirmSetupAction = validatedActionWithUser(
  confirmSchema,
  async ({ firstCode, secondCode }, user) => {
    const input = { firstCode, secondCode, sessionToken: await currentSessionToken(), baseUrl: env.baseUrl };
    const { recoveryCodes } = await confirmSetup(db, user, input);
    revalidatePath(PAGE);
    return { ok: true, message: "Your authenticator is set up.", revealedRecoveryCodes: recoveryCodes };
  },
  own,
);

const codeSchema = z.object({ code: enteredCodeSchema });

/** Removes the person's own authenticator, after one of its codes or a recovery code. */
export const removeSecondFactorAction = validatedActionWithUser(
  codeSchema,
  async ({ code }, user) => {
    const result = await removeSecondFactor(db, user, code, { baseUrl: env.baseUrl });
    if (!result.ok) return { ok: false, message: result.message, fieldErrors: { code: result.message } };
    redirect(`${PAGE}?removed=1`);
  },
  own,
);

/** New recovery codes (the old ones stop working), shown once; after a code from the authenticator app. */
export const regenerateRecoveryCodesAction = validatedActionWithUser(
  codeSchema,
  async ({ code }, user) => {
    const result = await regenerateRecoveryCodes(db, user, code, { baseUrl: env.baseUrl });
    if (!result.ok) return { ok: false, message: result.message, fieldErrors: { code: result.message } };
    revalidatePath(PAGE);
    return { ok: true, message: "New recovery codes made: the old ones no longer work.", revealedRecoveryCodes: result.recoveryCodes };
  },
  own,
);
