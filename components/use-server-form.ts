"use client";

import { type FormEvent, startTransition, useEffect, useRef } from "react";

/**
 * For a plain form posted to a server action (useActionState):
 * - `onSubmit` sends it through startTransition, so a refusal keeps every answer (a form `action`
 *   resets the fields, selects fall back to their first option, long echoes are cut short);
 * - after a refusal with field errors, focus goes to the first field to fix (`formRef` on the form),
 *   where its message is read with it.
 */
export function useServerForm(state: { fieldErrors?: Record<string, string> } | null, action: (data: FormData) => void) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.fieldErrors) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state]);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => action(data));
  };
  return { formRef, onSubmit };
}
