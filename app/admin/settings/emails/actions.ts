"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { retryMessage, setSubject } from "@/lib/mail/email-admin";
import { subjectSchema } from "@/lib/mail/subject-schema";

export const saveSubjectAction = validatedActionWithUser(
  subjectSchema,
  async ({ template, subject }, actor) => {
    await setSubject(db, actor, { template, subject });
    revalidatePath("/admin/settings/emails");
    return { ok: true, message: subject ? "Subject saved." : "Subject reset to the default." };
  },
  { roles: ["admin"] },
);

export const retryMessageAction = validatedActionWithUser(
  z.object({ messageId: z.uuid("That message does not exist.") }),
  async ({ messageId }, actor) => {
    await retryMessage(db, actor, { messageId });
    revalidatePath("/admin/emails");
    return { ok: true, message: "Queued again." };
  },
  { roles: ["admin"] },
);
