"use server";

import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { currentSessionToken } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { enteredCodeSchema } from "@/lib/second-factor/codes";
import { verifySecondFactor } from "@/lib/second-factor/factor";

const schema = z.object({ code: enteredCodeSchema });

/** A code from the authenticator (or a recovery code): this session is stepped up for 15 minutes. */
export const stepUpAction = validatedActionWithUser(schema, async ({ code }, user) => {
  const result = await verifySecondFactor(db, user, code, { sessionToken: await currentSessionToken(), baseUrl: env.baseUrl });
  if (!result.ok) return { ok: false, message: result.message, fieldErrors: { code: result.message } };
  const left =
    result.via === "recovery"
      ? ` Recovery code used: ${result.recoveryCodesLeft} left. Make new ones in Account security if you are running out.`
      : "";
  return { ok: true, message: `Code accepted.${left}` };
});
