"use client";

import { useActionToast } from "@/components/toast";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { createAppAction } from "./actions";
import { AppFormFields, checkAppForm } from "./app-form-fields";

export function CreateAppForm() {
  const [state, action, pending] = useActionState(createAppAction, null);
  useActionToast(state);
  const [clientErrors, setClientErrors] = useState<Record<string, string> | null>(null);
  const errors = clientErrors ?? state?.fieldErrors;
  return (
    <form
      action={action}
      noValidate
      aria-labelledby="create-app-title"
      className="space-y-4"
      onSubmit={(event) => {
        const found = checkAppForm(event.currentTarget);
        setClientErrors(found);
        if (found) event.preventDefault();
      }}
    >
      <h2 id="create-app-title" className="text-lg font-semibold">
        Create an app
      </h2>
      <AppFormFields prefix="new-app" errors={errors} values={state?.ok ? {} : (state?.values ?? {})} />
      {/* A success is a toast (useActionToast); a refusal stays beside the form. */}
      {!clientErrors && state && !state.ok && state.message ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create app"}
      </Button>
    </form>
  );
}
