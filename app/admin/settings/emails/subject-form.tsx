"use client";

import { useActionToast } from "@/components/toast";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { SUBJECT_LINE_MESSAGE, placeholderProblem, renderSubject } from "@/emails/subject";
import { isSingleLine } from "@/lib/validation";
import { saveSubjectAction } from "./actions";

/**
 * One template's subject: the preview follows what the admin types, with the template's sample
 * values, and an unknown placeholder is named at once with the list of valid ones (the server's
 * schema, lib/mail/subject-schema.ts, checks the same on save).
 */
export function SubjectForm({
  template,
  label,
  current,
  defaultSubject,
  placeholders,
  sampleValues,
}: {
  template: string;
  label: string;
  current: string;
  defaultSubject: string;
  placeholders: string[];
  sampleValues: Record<string, string>;
}) {
  const [state, action, pending] = useActionState(saveSubjectAction, null);
  useActionToast(state);
  const [value, setValue] = useState(current);
  const [submitted, setSubmitted] = useState(false);
  const id = `subject-${template}`;
  const typed = value.trim();
  const liveProblem = isSingleLine(typed) ? placeholderProblem(typed, placeholders) : SUBJECT_LINE_MESSAGE;
  const error = liveProblem ?? (submitted ? state?.fieldErrors?.subject : undefined);
  return (
    <form action={action} onSubmit={() => setSubmitted(true)} className="space-y-2">
      <input type="hidden" name="template" value={template} />
      <label htmlFor={id} className="block text-sm font-medium">
        {label} subject
      </label>
      <div className="flex gap-2">
        <Input
          id={id}
          name="subject"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setSubmitted(false);
          }}
          placeholder={defaultSubject}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : submitted && state?.message ? (
        <p role="status" className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "text-sm text-red-600 dark:text-red-400"}>
          {state.message}
        </p>
      ) : null}
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Placeholders: {placeholders.map((v) => `{${v}}`).join(", ")}. Default: “{defaultSubject}”.
      </p>
      <p className="text-sm">
        Preview subject: <strong data-testid={`preview-subject-${template}`}>{renderSubject(typed || defaultSubject, sampleValues)}</strong>
      </p>
    </form>
  );
}
