"use client";

import { type FormEvent, startTransition, useEffect, useRef, useState } from "react";

/**
 * For a plain form posted to a server action (useActionState):
 * - `onSubmit` sends it through startTransition, so a refusal keeps every answer (a form `action`
 *   resets the fields, selects fall back to their first option, long echoes are cut short);
 * - after a refusal with field errors, focus goes to the first field to fix (`formRef` on the form),
 *   where its message is read with it;
 * - a field's error goes once the field is changed (`onChange` on the form; show `fieldErrors`, not
 *   the state's; `data-error-key` on a field whose error key is not its name), so a fixed answer is not left marked wrong until the next submit. `fixedAll` says
 *   every field named in the refusal was changed since (its "check the highlighted fields" can go).
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
  // The fields changed since this answer came (a new answer starts again with none).
  const [changed, setChanged] = useState({ state, names: new Set<string>() });
  const names = changed.state === state ? changed.names : NONE;
  const all = state?.fieldErrors ?? {};
  const fieldErrors = names.size ? Object.fromEntries(Object.entries(all).filter(([name]) => !names.has(name))) : all;
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    // The error's key is the field's name, or its data-error-key where they differ (a list's rows:
    // "footerLinks.2.href"; a file picker with no name).
    const target = event.target as { name?: unknown; dataset?: DOMStringMap };
    const name = target.dataset?.errorKey ?? target.name;
    if (typeof name !== "string" || !all[name]) return;
    setChanged((c) => {
      const before = c.state === state ? c.names : NONE;
      return before.has(name) ? c : { state, names: new Set(before).add(name) };
    });
  };
  const fixedAll = Object.keys(all).length > 0 && Object.keys(fieldErrors).length === 0;
  return { formRef, onSubmit, onChange, fieldErrors, fixedAll };
}

const NONE: ReadonlySet<string> = new Set();
