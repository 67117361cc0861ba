"use client";

import { type UseFormReturn, useFieldArray } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { API_ROLES, ROLE_HELP, ROLE_LABELS, type ApiRole } from "@/lib/api-access/grants";
import { type RoleRow, emptyRoleRow, isProductRole } from "@/lib/api-access/key-form";
import type { ProductChoice } from "@/lib/api-access/queries";

export const PRODUCTS_RULE = "Choose at least one product, or All products.";

type WithRoles = { roles: RoleRow[] };

/** The error message RHF holds at a dotted path ("roles.0.products"), if any. */
export function errorAt(errors: unknown, path: string): string | undefined {
  let node: unknown = errors;
  for (const part of path.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
  const n = node as { message?: string; root?: { message?: string } } | undefined;
  return n?.message ?? n?.root?.message;
}

/**
 * One or more roles, with Add another role and Remove role. Product viewer and Product approver
 * rows choose products (published and draft; archived ones only while already chosen) or All.
 */
export function RoleRows<T extends WithRoles>({
  form,
  products,
  headed = false,
}: {
  form: UseFormReturn<T, unknown, unknown>;
  products: ProductChoice[];
  /** The page already shows a "Roles" heading: the legend is for screen readers only. */
  headed?: boolean;
}) {
  // The generic form narrows to its roles part here; every form that uses this has one.
  const f = form as unknown as UseFormReturn<WithRoles, unknown, unknown>;
  const { control, register, watch, setValue, formState } = f;
  const rows = useFieldArray({ control, name: "roles" });
  const rolesError = errorAt(formState.errors, "roles");

  return (
    <fieldset className="space-y-4" aria-describedby={rolesError ? "roles-error" : undefined}>
      <legend className={headed ? "sr-only" : "text-sm font-medium text-zinc-800 dark:text-zinc-200"}>Roles</legend>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">A key may do what any of its roles allows.</p>
      {rolesError ? (
        <p id="roles-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
          {rolesError}
        </p>
      ) : null}
      {rows.fields.map((field, i) => {
        const role = watch(`roles.${i}.role`) as ApiRole;
        const all = watch(`roles.${i}.allProducts`);
        const chosen = watch(`roles.${i}.products`) ?? [];
        const productsError = errorAt(formState.errors, `roles.${i}.products`);
        const roleId = `roles-${i}-role`;
        const visible = products.filter((p) => p.status !== "archived" || chosen.includes(p.id));
        const toggle = (id: string, on: boolean) =>
          setValue(`roles.${i}.products`, on ? [...chosen, id] : chosen.filter((c) => c !== id), { shouldValidate: formState.isSubmitted, shouldDirty: true });
        return (
          <div key={field.id} data-testid="role-row" className="space-y-3 rounded-md border border-zinc-200 p-4 dark:border-zinc-800">
            <div className="flex flex-wrap items-end gap-3">
              <div className="min-w-48 flex-1 space-y-1.5">
                <label htmlFor={roleId} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
                  Role {i + 1}
                </label>
                <Select id={roleId} aria-describedby={`${roleId}-help`} {...register(`roles.${i}.role`)}>
                  {API_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </Select>
              </div>
              {rows.fields.length > 1 ? (
                <Button type="button" variant="ghost" size="sm" onClick={() => rows.remove(i)} aria-label={`Remove role ${i + 1}`}>
                  Remove role
                </Button>
              ) : null}
            </div>
            <p id={`${roleId}-help`} className="text-xs text-zinc-500 dark:text-zinc-400">
              {ROLE_HELP[role] ?? ""}
            </p>
            {isProductRole(role) ? (
              <fieldset className="space-y-2" aria-describedby={`roles-${i}-products-${productsError ? "error" : "rule"}`}>
                <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Products for role {i + 1}</legend>
                <p id={`roles-${i}-products-rule`} className="text-xs text-zinc-500 dark:text-zinc-400">
                  {PRODUCTS_RULE}
                </p>
                <label className="flex items-center gap-2 text-sm font-medium">
                  <input
                    type="checkbox"
                    checked={Boolean(all)}
                    onChange={(e) => setValue(`roles.${i}.allProducts`, e.target.checked, { shouldValidate: formState.isSubmitted, shouldDirty: true })}
                  />
                  All products (now and later)
                </label>
                {visible.length === 0 ? (
                  <p className="text-sm text-zinc-500 dark:text-zinc-400">No products yet: choose All products, or create a product first.</p>
                ) : (
                  <ul className="grid gap-1 sm:grid-cols-2">
                    {visible.map((p) => (
                      <li key={p.id}>
                        <label className={`flex items-center gap-2 text-sm ${all ? "opacity-60" : ""}`}>
                          <input type="checkbox" disabled={Boolean(all)} checked={!all && chosen.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} />
                          <span className="min-w-0 wrap-anywhere">
                            {p.name}
                            {p.status !== "published" ? <span className="text-xs text-zinc-500 dark:text-zinc-400"> ({p.status})</span> : null}
                          </span>
                        </label>
                      </li>
                    ))}
                  </ul>
                )}
                {productsError ? (
                  <p id={`roles-${i}-products-error`} role="alert" className="text-sm text-red-600 dark:text-red-400">
                    {productsError}
                  </p>
                ) : null}
              </fieldset>
            ) : null}
          </div>
        );
      })}
      <Button type="button" variant="secondary" size="sm" onClick={() => rows.append(emptyRoleRow())} disabled={rows.fields.length >= 20}>
        Add another role
      </Button>
    </fieldset>
  );
}
