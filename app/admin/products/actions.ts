"use server";

import { revalidatePath, revalidateTag } from "next/cache";
import { redirect } from "next/navigation";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { env } from "@/lib/env";
import { APPROVER_ROLES } from "@/lib/auth/guards";
import { CATALOGUE_TAG } from "@/lib/catalogue/cached";
import { arrangeProductPlans, arrangeProductPlansSchema } from "@/lib/products/arrange-product-plans";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { createProduct } from "@/lib/products/create-product";
import { productIdSchema, productSchema, productStatusChangeSchema } from "@/lib/products/product-schema";
import { setProductFeatured, setProductFeaturedSchema } from "@/lib/products/set-product-featured";
import { updateProduct } from "@/lib/products/update-product";

/**
 * The catalogue is served from the static cache. `expire: 0` expires it now rather than the "max"
 * profile's stale-while-revalidate, which would show the next visitor the catalogue from before
 * the change once more.
 */
function refreshCatalogue(...slugs: string[]) {
  revalidateTag(CATALOGUE_TAG, { expire: 0 });
  revalidatePath("/");
  revalidatePath("/apis");
  for (const slug of new Set(slugs)) revalidatePath(`/apis/${slug}`);
  revalidatePath("/admin/products");
}

// A product offers plans (an auto-approve one grants access unasked) and archiving may revoke every
// key: each change asks for a recent second-factor code, like a decision.
export const createProductAction = validatedActionWithUser(
  productSchema,
  async (_data, user, raw) => {
    const product = await createProduct(db, user, raw);
    revalidatePath("/admin/products");
    redirect(`/admin/products/${product.id}?created=1`);
  },
  { roles: APPROVER_ROLES, stepUp: true },
);

export const updateProductAction = validatedActionWithUser(
  productSchema.extend({ id: productIdSchema }),
  async ({ id }, user, raw) => {
    const { product, previousSlug, changed } = await updateProduct(db, user, id, raw);
    if (!changed) return { ok: true, message: "Nothing changed." };
    // A draft is not in the catalogue, but its old slug may still be cached from when it was published.
    refreshCatalogue(product.slug, previousSlug);
    revalidatePath(`/admin/products/${id}`);
    return {
      ok: true,
      message: product.status === "published" ? "Saved. The catalogue shows the change now." : "Saved.",
    };
  },
  { roles: APPROVER_ROLES, stepUp: true },
);

export const changeProductStatusAction = validatedActionWithUser(
  productStatusChangeSchema,
  async ({ id, change, revokeKeys }, user) => {
    const { product, message } = await changeProductStatus(db, user, id, change, { revokeKeys, baseUrl: env.baseUrl });
    refreshCatalogue(product.slug);
    revalidatePath(`/admin/products/${id}`);
    return { ok: true, message };
  },
  { roles: APPROVER_ROLES, stepUp: true },
);

// Featuring and arranging plans change only how the catalogue shows a product: no second factor.
export const setProductFeaturedAction = validatedActionWithUser(
  setProductFeaturedSchema,
  async (_data, user, raw) => {
    const { product, changed } = await setProductFeatured(db, user, raw);
    if (!changed) return { ok: true, message: "Nothing changed." };
    refreshCatalogue(product.slug);
    revalidatePath(`/admin/products/${_data.id}`);
    const where = product.status === "published" ? "the home page" : "the home page once it is published";
    return { ok: true, message: product.featured ? `“${product.name}” is featured on ${where}.` : `“${product.name}” is no longer featured on the home page.` };
  },
  { roles: APPROVER_ROLES },
);

export const arrangeProductPlansAction = validatedActionWithUser(
  arrangeProductPlansSchema,
  async (_data, user, raw) => {
    const { product, changed } = await arrangeProductPlans(db, user, raw);
    if (!changed) return { ok: true, message: "Nothing changed." };
    refreshCatalogue(product.slug);
    revalidatePath(`/admin/products/${product.id}`);
    return {
      ok: true,
      message: product.status === "published" ? "Plans saved. The product page shows them in this order now." : "Plans saved. The product page will show them in this order.",
    };
  },
  { roles: APPROVER_ROLES },
);
