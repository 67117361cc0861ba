"use client";

import { useActionToast } from "@/components/toast";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { startTransition, useEffect, useState } from "react";
import { type FieldPath, type Resolver, useForm } from "react-hook-form";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useHydrated } from "@/components/use-hydrated";
import { EXPIRY_CHOICES } from "@/lib/api-access/grants";
import { type ApiKeyFormValues, addApiKeySchema, addFormDefaults } from "@/lib/api-access/key-form";
import type { ProductChoice } from "@/lib/api-access/queries";
import { addApiKeyAction } from "./actions";
import { RoleRows, errorAt } from "./role-rows";
import { TokenDialog } from "./token-dialog";

// The schema also reads FormData (the roles as JSON text), so its input type is wider than the form's.
const resolver = zodResolver(addApiKeySchema) as unknown as Resolver<ApiKeyFormValues, unknown, unknown>;

export function AddKeyForm({ products }: { products: ProductChoice[] }) {
  // Privileged (step-up): the form keeps its values while a code is asked for.
  const { state, dispatch: action, pending } = useStepUpAction(addApiKeyAction);
  useActionToast(state);
  const hydrated = useHydrated();
  const router = useRouter();
  const form = useForm<ApiKeyFormValues, unknown, unknown>({ resolver, defaultValues: addFormDefaults(), mode: "onTouched" });
  const { register, watch, formState, setError, setFocus, handleSubmit } = form;
  const [shown, setShown] = useState<string | null>(null);

  // The server checks again and knows what the browser cannot (a name already in use).
  useEffect(() => {
    const errors = Object.entries(state?.fieldErrors ?? {});
    for (const [key, message] of errors) setError(key as FieldPath<ApiKeyFormValues>, { type: "server", message });
    if (errors.some(([key]) => key === "name")) setFocus("name");
  }, [state, setError, setFocus]);

  const errorOf = (path: string) => errorAt(formState.errors, path);
  const aria = (path: string) => (errorOf(path) ? { "aria-invalid": true as const, "aria-describedby": `${path}-error` } : {});
  const expiry = watch("expiry");
  const revealed = state?.ok ? state.revealedAccessKey : undefined;

  const onValid = () => {
    const values = form.getValues();
    const data = new FormData();
    data.set("name", values.name);
    data.set("expiry", values.expiry);
    if (values.expiry === "custom") data.set("customDays", values.customDays);
    data.set("roles", JSON.stringify(values.roles));
    startTransition(() => action(data));
  };

  return (
    <>
      <form onSubmit={handleSubmit(onValid)} noValidate className="max-w-3xl space-y-6">
        <div className="grid gap-6 sm:grid-cols-2">
          <Field id="name" label="Name" hint="1–64 characters on one line, unique. It cannot be changed later." error={errorOf("name")}>
            <Input id="name" maxLength={64} autoComplete="off" {...register("name")} {...aria("name")} />
          </Field>
          <Field id="expiry" label="Expiration" error={errorOf("expiry")}>
            <Select id="expiry" {...register("expiry")} {...aria("expiry")}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </Select>
          </Field>
          {expiry === "custom" ? (
            <Field id="customDays" label="Expires after (days)" hint="1 to 730 days." error={errorOf("customDays")}>
              <Input id="customDays" inputMode="numeric" {...register("customDays")} {...aria("customDays")} />
            </Field>
          ) : null}
        </div>
        <RoleRows form={form} products={products} />
        <div aria-live="polite">
          {/* A refusal with field errors is told beside each field; the rest here. */}
          {state && !state.ok && state.message && !state.fieldErrors ? (
            <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
              {state.message}
            </p>
          ) : null}
          {shown ? (
            <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              {shown}
            </p>
          ) : null}
        </div>
        <Button type="submit" disabled={pending || !hydrated || Boolean(revealed && !shown)}>
          {pending ? "Adding…" : "Add access key"}
        </Button>
      </form>
      {revealed && !shown ? (
        <TokenDialog
          name={revealed.name}
          token={revealed.token}
          expiresAt={revealed.expiresAt}
          onClosed={() => {
            setShown(`Added ${revealed.name}.`);
            router.push("/admin/api-keys");
          }}
        />
      ) : null}
    </>
  );
}
