"use client";

import { useActionToast } from "@/components/toast";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { updateAppAction } from "../actions";
import { AppFormFields, checkAppForm } from "../app-form-fields";

export function EditAppForm({ id, name, description }: { id: string; name: string; description: string }) {
  const [state, action, pending] = useActionState(updateAppAction, null);
  useActionToast(state);
  const [clientErrors, setClientErrors] = useState<Record<string, string> | null>(null);
  const errors = clientErrors ?? state?.fieldErrors;
  // After a save the page re-renders with the stored values; after a refusal, keep what was typed.
  const values = state && !state.ok ? (state.values ?? {}) : { name, description };
  const formError = state?.fieldErrors?.id ?? state?.message;
  return (
    <form
      action={action}
      noValidate
      aria-labelledby="edit-app-title"
      className="space-y-4"
      onSubmit={(event) => {
        const found = checkAppForm(event.currentTarget);
        setClientErrors(found);
        if (found) event.preventDefault();
      }}
    >
      <h2 id="edit-app-title" className="text-lg font-semibold">
        Details
      </h2>
      <input type="hidden" name="id" value={id} />
      <AppFormFields prefix="app" errors={errors} values={values} />
      {/* A success is a toast (useActionToast); a refusal stays beside the form. */}
      {!clientErrors && formError && !state?.ok ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {formError}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save changes"}
      </Button>
    </form>
  );
}
