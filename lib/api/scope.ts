import { type SQL, inArray, sql } from "drizzle-orm";
import { products } from "@/db/schema";
import { type Need, inScope, productScope } from "@/lib/api-access/grants";
import type { ApiKeyActor } from "@/lib/auth/permissions";
import { forbiddenFor } from "./api-error";

/** SQL on products: those this key may read (or decide on). */
export function productsInScope(actor: ApiKeyActor, need: Exclude<Need, "admin"> = "read"): SQL {
  const scope = productScope(actor.grants, need);
  if (scope === "all") return sql`true`;
  return scope.length === 0 ? sql`false` : inArray(products.id, scope);
}

/** 403 unless the key may act on every one of these products, naming the first it may not. */
export function assertProductScope(actor: ApiKeyActor, need: Exclude<Need, "admin">, parts: readonly { productId: string; productName: string }[]) {
  const scope = productScope(actor.grants, need);
  const outside = parts.find((p) => !inScope(scope, p.productId));
  if (!outside) return;
  const roles = need === "decide" ? (["portal_admin", "product_approver"] as const) : (["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const);
  const label = need === "decide" ? "Deciding on access to this product" : "Reading this product";
  throw forbiddenFor(roles, label, outside.productName);
}
