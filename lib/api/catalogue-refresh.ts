import { revalidatePath, revalidateTag } from "next/cache";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import { describeError } from "@/lib/describe-error";

/**
 * After an API change to a product or plan, the catalogue pages are refreshed as the admin pages'
 * actions do (app/admin/products/actions.ts). Outside a Next request (tests, scripts) there is no
 * cache to refresh: Next answers that with an invariant error, which is the one error let pass.
 */
export function refreshCatalogue(...slugs: string[]) {
  try {
    revalidateTag(CATALOGUE_TAG, { expire: 0 });
    revalidatePath("/");
    revalidatePath("/apis", "layout");
    for (const slug of new Set(slugs)) revalidatePath(`/apis/${slug}`);
    revalidatePath("/admin/products");
    revalidatePath("/admin/plans");
  } catch (e) {
    if (e instanceof Error && e.message.includes("static generation store missing")) return;
    console.error(`Refreshing the catalogue after an API change failed: ${describeError(e)}`);
  }
}
