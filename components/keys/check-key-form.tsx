"use client";

import { Link } from "@/components/ui/link";
import { useActionState, useId, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { ActionResult } from "@/lib/actions/action-result";
import type { CheckView } from "@/lib/keys/describe-check";

export type CheckKeyResult = ActionResult & { check?: CheckView };

const toneClass: Record<CheckView["tone"], string> = {
  green: "border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950",
  amber: "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950",
  red: "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950",
  neutral: "border-zinc-300 bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900",
};

/**
 * Check a key: paste it, learn what Portico knows of it. The key goes only in this POST's body (a
 * password field, never autocompleted); the form is reset after each check, and the answer never
 * repeats the key.
 */
export function CheckKeyForm({
  action,
  appId,
  description,
}: {
  action: (prev: CheckKeyResult | null, data: FormData) => Promise<CheckKeyResult>;
  appId?: string;
  description: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Check a key
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{description}</p>
      <form action={formAction} className="flex flex-wrap items-end gap-2" autoComplete="off">
        {appId ? <input type="hidden" name="appId" value={appId} /> : null}
        <div className="min-w-64 flex-1">
          <label htmlFor={`${id}-key`} className="block text-sm font-medium">
            Key to check
          </label>
          <Input
            id={`${id}-key`}
            name="key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={512}
            aria-invalid={state?.fieldErrors?.key ? true : undefined}
            aria-describedby={state?.fieldErrors?.key ? `${id}-error` : undefined}
          />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Checking…" : "Check"}
        </Button>
      </form>
      {state?.fieldErrors?.key ? (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {state.fieldErrors.key}
        </p>
      ) : state && !state.ok ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
      {state?.check ? (
        <div role="status" data-testid="key-check" className={`rounded-lg border p-4 text-sm ${toneClass[state.check.tone]}`}>
          <p className="font-medium">{state.check.title}</p>
          {state.check.facts.length > 0 ? (
            <dl className="mt-2 grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1">
              {state.check.facts.map((f) => (
                <div key={f.label} className="contents">
                  <dt className="text-zinc-600 dark:text-zinc-400">{f.label}</dt>
                  <dd>
                    {f.href ? (
                      <Link href={f.href} className="text-indigo-600 dark:text-indigo-400 underline">
                        {f.value}
                      </Link>
                    ) : (
                      f.value
                    )}
                  </dd>
                </div>
              ))}
            </dl>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
