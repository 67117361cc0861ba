"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { saveSubjectAction } from "./actions";

export function SubjectForm({ template, label, current, placeholder }: { template: string; label: string; current: string; placeholder: string }) {
  const [state, action, pending] = useActionState(saveSubjectAction, null);
  const id = `subject-${template}`;
  const error = state?.fieldErrors?.subject;
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="template" value={template} />
      <label htmlFor={id} className="block text-sm font-medium">
        {label} subject
      </label>
      <div className="flex gap-2">
        <Input
          id={id}
          name="subject"
          defaultValue={current}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : state?.message ? (
        <p role="status" className={state.ok ? "text-sm text-emerald-700" : "text-sm text-red-600"}>
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
