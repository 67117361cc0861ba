"use client";

import { useActionToast } from "@/components/toast";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { Button } from "@/components/ui/button";
import { useHydrated } from "@/components/use-hydrated";
import type { SecondFactorPolicy } from "@/db/schema";
import { savePolicyAction } from "./actions";

export type PolicyChoice = { value: SecondFactorPolicy; label: string; who: string; people: number; without: number };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The policy as a radio group; saving asks for a code (step-up) and keeps the choice meanwhile. */
export function PolicyForm({ current, choices }: { current: SecondFactorPolicy; choices: PolicyChoice[] }) {
  const { state, pending, onSubmit } = useStepUpAction(savePolicyAction);
  useActionToast(state);
  const ready = useHydrated() && !pending;
  const error = state && !state.ok ? (state.fieldErrors?.policy ?? state.message) : undefined;
  return (
    <form onSubmit={onSubmit} className="max-w-3xl space-y-4">
      <fieldset className="space-y-3" aria-describedby={error ? "policy-error" : undefined}>
        <legend className="mb-2 text-base font-semibold">Require an authenticator for</legend>
        {choices.map((c) => (
          <label key={c.value} className="flex items-start gap-3 rounded-md border border-zinc-200 p-3 text-sm has-[:checked]:border-indigo-500 dark:border-zinc-700">
            <input type="radio" name="policy" value={c.value} defaultChecked={c.value === current} className="mt-1" />
            <span>
              <span className="font-medium">
                {c.label}
                {c.value === current ? <span className="ml-2 text-xs font-normal text-zinc-500 dark:text-zinc-400">(current)</span> : null}
                {c.value === "admins_and_owners" ? <span className="ml-2 text-xs font-normal text-zinc-500 dark:text-zinc-400">(default)</span> : null}
              </span>
              <span className="block text-zinc-600 dark:text-zinc-400">{c.who}</span>
              {c.value === "no_one" ? null : (
                <span className="block text-zinc-600 dark:text-zinc-400" data-testid={`policy-without-${c.value}`}>
                  {coverage(c.people, c.without)}
                </span>
              )}
            </span>
          </label>
        ))}
      </fieldset>
      <Button type="submit" disabled={!ready}>
        {pending ? "Saving…" : "Save policy"}
      </Button>
      <div aria-live="polite">
        {state?.message ? (
          <p
            id={state.ok ? undefined : "policy-error"}
            role={state.ok ? "status" : "alert"}
            data-testid="policy-result"
            className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "text-sm text-red-600 dark:text-red-400"}
          >
            {state.ok ? state.message : error}
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** How many of the people a choice covers have no authenticator, in words that read right at 1 and at all. */
function coverage(people: number, without: number) {
  const sent = "they would be sent to set one up at their next page.";
  if (without === 0) return people === 1 ? "The one person it covers has an authenticator." : `All ${people} people it covers have an authenticator.`;
  if (without === people) {
    return people === 1
      ? `The one person it covers has no authenticator yet: ${sent}`
      : `None of the ${people} people it covers has an authenticator yet: ${sent}`;
  }
  return `${without} of the ${plural(people, "person", "people")} it covers ${without === 1 ? "has" : "have"} no authenticator yet: ${sent}`;
}
