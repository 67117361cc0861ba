import { z } from "zod";
import {
  API_ROLES,
  type ApiAccessGrant,
  type ApiRole,
  DEFAULT_EXPIRY,
  type ExpiryChoice,
  apiKeyName,
  customDays,
  expiryChoice,
  grantsSchema,
} from "./grants";

/** One role row of the Add and Edit forms: product roles carry a product list or "All products". */
export type RoleRow = { role: ApiRole; allProducts: boolean; products: string[] };

export type ApiKeyFormValues = { name: string; expiry: ExpiryChoice; customDays: string; roles: RoleRow[] };

export const isProductRole = (role: ApiRole) => role === "product_viewer" || role === "product_approver";

/** A form row as the grant the database keeps (the products are dropped for portal-wide roles). */
export function grantOf(row: RoleRow): ApiAccessGrant {
  if (row.role === "product_viewer" || row.role === "product_approver") {
    return { role: row.role, products: row.allProducts ? "all" : row.products };
  }
  return { role: row.role };
}

export const rowOf = (grant: ApiAccessGrant): RoleRow =>
  "products" in grant
    ? { role: grant.role, allProducts: grant.products === "all", products: grant.products === "all" ? [] : [...grant.products] }
    : { role: grant.role, allProducts: false, products: [] };

const roleRow = z.object({
  role: z.enum(API_ROLES, { error: "Choose a role." }),
  allProducts: z.boolean().optional().default(false),
  products: z.array(z.string()).optional().default([]),
});

/**
 * The role rows, read from the form (an array) or from FormData (the same array as JSON text), then
 * checked by grantsSchema itself, so the browser and the server refuse the same things with the
 * same words, at the same paths ("roles.0.products").
 */
export const roleRowsSchema = z.preprocess(
  (value) => {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  },
  z
    .array(roleRow, { error: "Give the key at least one role." })
    .transform((rows) => rows.map((r) => grantOf(r)))
    .pipe(grantsSchema),
);

const customDaysText = z.union([z.string(), z.number()]).optional();

/** Add access key: the form's resolver and the server action parse with this one schema. */
const customDaysOf = (days: unknown) => customDays.safeParse(days === "" ? undefined : days);

export const addApiKeySchema = z
  .object({ name: apiKeyName, expiry: expiryChoice, customDays: customDaysText, roles: roleRowsSchema })
  // Checked even while other fields are wrong (`when`), so the form reports every mistake at once.
  .refine((k) => k.expiry !== "custom" || customDaysOf(k.customDays).success, {
    path: ["customDays"],
    error: (issue) => {
      const parsed = customDaysOf((issue.input as { customDays?: unknown } | undefined)?.customDays);
      return parsed.success ? undefined : parsed.error.issues[0]?.message;
    },
    when: (payload) => (payload.value as { expiry?: unknown } | null)?.expiry === "custom",
  })
  .transform(({ customDays: days, ...rest }) => ({ ...rest, customDays: rest.expiry === "custom" ? customDaysOf(days).data : undefined }));

export const apiKeyIdSchema = z.guid("This API access key does not exist.");

/** Edit: roles and their products only (the name and the expiry never change). */
export const editRolesSchema = z.object({ roles: roleRowsSchema });
export const editApiKeySchema = editRolesSchema.extend({ id: apiKeyIdSchema });
export const removeApiKeySchema = z.object({ id: apiKeyIdSchema });

export const emptyRoleRow = (role: ApiRole = "product_viewer"): RoleRow => ({ role, allProducts: false, products: [] });

export const addFormDefaults = (): ApiKeyFormValues => ({ name: "", expiry: DEFAULT_EXPIRY, customDays: "", roles: [emptyRoleRow()] });
