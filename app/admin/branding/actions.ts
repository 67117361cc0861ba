"use server";

import { revalidatePath, revalidateTag } from "next/cache";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { brandingFormSchema } from "@/lib/branding/branding-schema";
import { saveBranding } from "@/lib/branding/save-branding";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";

// The brand is not a privileged change (no access is granted or taken), so no step-up.
export const saveBrandingAction = validatedActionWithUser(
  brandingFormSchema,
  async (input, actor) => {
    await saveBranding(db, actor, input);
    // Here at once; other instances hear the change through lib/coherence.
    revalidateTag(CATALOGUE_TAG, { expire: 0 });
    revalidatePath("/", "layout");
    return { ok: true, message: `Saved. Every page and the next emails now use “${input.name.trim()}”.` };
  },
  { roles: ["admin"] },
);
