import { addDays } from "date-fns/addDays";
import { addMonths } from "date-fns/addMonths";
import { addYears } from "date-fns/addYears";
import { z } from "zod";
import type { ApiAccessGrant } from "@/db/schema";
import { isSingleLine } from "@/lib/validation";

export type { ApiAccessGrant };
export const API_ROLES = ["portal_admin", "portal_viewer", "product_viewer", "product_approver"] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const ROLE_LABELS: Record<ApiRole, string> = {
  portal_admin: "Portal admin",
  portal_viewer: "Portal viewer",
  product_viewer: "Product viewer",
  product_approver: "Product approver",
};

export const ROLE_HELP: Record<ApiRole, string> = {
  portal_admin: "Everything the API offers.",
  portal_viewer: "Read everything, change nothing.",
  product_viewer: "Read the products, plans, requests and keys of the chosen products.",
  product_approver: "Product viewer, plus approve, deny and revoke access requests for the chosen products.",
};

/** What a call needs: read, decide (approve, deny, revoke) or administer. */
export type Need = "read" | "decide" | "admin";

const scoped = (g: ApiAccessGrant): g is Extract<ApiAccessGrant, { products: unknown }> => "products" in g;

/** The products a key may read or decide on: "all", or a list (maybe empty). */
export function productScope(grants: readonly ApiAccessGrant[], need: Exclude<Need, "admin">): "all" | string[] {
  const ids = new Set<string>();
  for (const g of grants) {
    if (g.role === "portal_admin") return "all";
    if (need === "read" && g.role === "portal_viewer") return "all";
    if (!scoped(g)) continue;
    if (need === "decide" && g.role !== "product_approver") continue;
    if (g.products === "all") return "all";
    for (const id of g.products) ids.add(id);
  }
  return [...ids];
}

export const inScope = (scope: "all" | readonly string[], productId: string) => scope === "all" || scope.includes(productId);

export const isPortalAdmin = (grants: readonly ApiAccessGrant[]) => grants.some((g) => g.role === "portal_admin");
/** Reads everything (not only some products): Portal admin or Portal viewer. */
export const readsEverything = (grants: readonly ApiAccessGrant[]) =>
  grants.some((g) => g.role === "portal_admin" || g.role === "portal_viewer");

/** "Product approver (Payments API)" — the roles that would allow a call, for a 403's message. */
export function describeRoles(roles: readonly ApiRole[], productName?: string) {
  return roles.map((r) => (productName && (r === "product_viewer" || r === "product_approver") ? `${ROLE_LABELS[r]} for ${productName}` : ROLE_LABELS[r])).join(" or ");
}

export const NAME_RULE = "Use 1–64 characters on one line.";
export const apiKeyName = z
  .string()
  .trim()
  .min(1, "Give the key a name.")
  .max(64, NAME_RULE)
  .refine(isSingleLine, "Use one line without control characters.");

const productList = z.union([z.literal("all"), z.array(z.guid("Choose products from the list.")).min(1, "Choose at least one product, or All products.").max(500)]);

export const grantSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("portal_admin") }),
  z.object({ role: z.literal("portal_viewer") }),
  z.object({ role: z.literal("product_viewer"), products: productList }),
  z.object({ role: z.literal("product_approver"), products: productList }),
]);
export const grantsSchema = z.array(grantSchema).min(1, "Give the key at least one role.").max(20);

/** Expiration periods offered when adding a key; "custom" takes a number of days (1–730). */
export const EXPIRY_CHOICES = [
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "6m", label: "6 months" },
  { value: "1y", label: "1 year" },
  { value: "custom", label: "Custom" },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];
export const DEFAULT_EXPIRY: ExpiryChoice = "6m";
export const expiryChoice = z.enum(EXPIRY_CHOICES.map((c) => c.value) as [ExpiryChoice, ...ExpiryChoice[]], { error: "Choose an expiration period." });
export const customDays = z.coerce
  .number({ error: "Enter a number of days." })
  .int("Enter a whole number of days.")
  .min(1, "At least 1 day.")
  .max(730, "At most 730 days.");

export function expiresAtFor(choice: ExpiryChoice, days: number | undefined, now: Date): Date {
  switch (choice) {
    case "30d":
      return addDays(now, 30);
    case "90d":
      return addDays(now, 90);
    case "6m":
      return addMonths(now, 6);
    case "1y":
      return addYears(now, 1);
    case "custom":
      return addDays(now, customDays.parse(days));
  }
}
