"use client";

import { useActionToast } from "@/components/toast";
import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useEffect } from "react";
import { type FieldPath, type Resolver, useForm } from "react-hook-form";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { Button } from "@/components/ui/button";
import { useHydrated } from "@/components/use-hydrated";
import { type RoleRow, editRolesSchema } from "@/lib/api-access/key-form";
import type { ProductChoice } from "@/lib/api-access/queries";
import { editApiKeyAction } from "./actions";
import { RoleRows } from "./role-rows";

type EditValues = { roles: RoleRow[] };
const resolver = zodResolver(editRolesSchema) as unknown as Resolver<EditValues, unknown, unknown>;

/** Edit changes the roles and their products only; the next call with the token uses them. */
export function EditKeyForm({ id, roles, products }: { id: string; roles: RoleRow[]; products: ProductChoice[] }) {
  const { state, dispatch: action, pending } = useStepUpAction(editApiKeyAction);
  useActionToast(state);
  const hydrated = useHydrated();
  const form = useForm<EditValues, unknown, unknown>({ resolver, defaultValues: { roles }, mode: "onTouched" });
  const { setError, handleSubmit } = form;

  useEffect(() => {
    for (const [key, message] of Object.entries(state?.fieldErrors ?? {})) setError(key as FieldPath<EditValues>, { type: "server", message });
  }, [state, setError]);

  const onValid = () => {
    const data = new FormData();
    data.set("id", id);
    data.set("roles", JSON.stringify(form.getValues().roles));
    startTransition(() => action(data));
  };

  return (
    <form onSubmit={handleSubmit(onValid)} noValidate className="max-w-3xl space-y-6">
      <RoleRows form={form} products={products} headed />
      <div aria-live="polite">
        {state?.message ? (
          <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"}>
            {state.message}
          </p>
        ) : null}
      </div>
      <Button type="submit" disabled={pending || !hydrated}>
        {pending ? "Saving…" : "Save roles"}
      </Button>
    </form>
  );
}
