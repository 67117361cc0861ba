"use client";

import { Link } from "@/components/ui/link";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { useServerForm } from "@/components/use-server-form";
import type { RequestField } from "@/db/schema";
import { submitRequestAction } from "./actions";

type Props = {
  apps: { id: string; name: string }[];
  plan: {
    name: string;
    keyLifetimeDays: number | null;
    requestFields: RequestField[];
    autoApprove: boolean;
    /** An auto-approving plan whose request still waits: these products were revoked for this person before. */
    revokedBefore?: boolean;
    approvalsRequired: number;
    /** The plan sends the consumer on to this third party after submitting (lib/webhooks/redirect-consumer.ts). */
    redirectHost: string | null;
  };
  disabled: boolean;
};

export function SubmitRequestForm({ apps, plan, disabled }: Props) {
  const [state, action, pending] = useActionState(submitRequestAction, null);
  const [appChoice, setAppChoice] = useState<string>(state?.values?.appId ?? apps[0]?.id ?? "");
  const { formRef, onSubmit, onChange, fieldErrors: errors, fixedAll } = useServerForm(state, action);
  const v = state?.values ?? {};
  const invalid = (key: string) => (errors[key] ? { "aria-invalid": true as const, "aria-describedby": `${key}-error` } : {});
  const creatingApp = appChoice === "";
  // An existing app chosen since: the new app's name is not asked for, nor its error.
  const onlyHiddenLeft = !creatingApp && Object.keys(errors).length === 1 && "newAppName" in errors;

  return (
    <form ref={formRef} onSubmit={onSubmit} onChange={onChange} noValidate className="space-y-5">
      <h2 className="text-lg font-semibold">Request access</h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {/* The plan's name is typed by its owner: its own <bdi>, so a right-to-left one reorders nothing after it. */}
        {plan.redirectHost ? (
          <>
            After you submit, you continue at {plan.redirectHost} to confirm this <bdi>{plan.name}</bdi> request. It stays pending until then.
          </>
        ) : plan.autoApprove && plan.revokedBefore ? (
          <>
            Your access to these products was revoked before, so an API owner reviews this request (the <bdi>{plan.name}</bdi> plan is otherwise
            approved automatically).
          </>
        ) : plan.autoApprove ? (
          <>
            The <bdi>{plan.name}</bdi> plan is approved automatically.
          </>
        ) : plan.approvalsRequired > 1 ? (
          <>
            The <bdi>{plan.name}</bdi> plan needs {plan.approvalsRequired} approvals.
          </>
        ) : (
          <>
            An API owner reviews <bdi>{plan.name}</bdi> requests.
          </>
        )}
      </p>

      <Field id="appId" label="App" error={errors.appId}>
        <Select
          id="appId"
          name="appId"
          value={appChoice}
          onChange={(e) => setAppChoice(e.target.value)}
          {...invalid("appId")}
        >
          {apps.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
          <option value="">+ Create a new app</option>
        </Select>
      </Field>
      {creatingApp ? (
        <Field id="newAppName" label="New app name" error={errors.newAppName}>
          <Input id="newAppName" name="newAppName" maxLength={80} defaultValue={v.newAppName ?? ""} {...invalid("newAppName")} />
        </Field>
      ) : null}

      <Field id="reason" label="Why do you need access?" error={errors.reason}>
        <Textarea id="reason" name="reason" rows={3} defaultValue={v.reason ?? ""} {...invalid("reason")} />
      </Field>

      {plan.requestFields.map((f) => {
        const key = `field.${f.key}`;
        const label = f.required ? f.label : `${f.label} (optional)`;
        return (
          <Field key={key} id={key} label={label} error={errors[key]}>
            {f.type === "select" ? (
              <Select id={key} name={key} defaultValue={v[key] ?? ""} {...invalid(key)}>
                <option value="">Choose…</option>
                {(f.options ?? []).map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </Select>
            ) : f.type === "textarea" ? (
              <Textarea id={key} name={key} rows={3} defaultValue={v[key] ?? ""} {...invalid(key)} />
            ) : (
              <Input id={key} name={key} defaultValue={v[key] ?? ""} {...invalid(key)} />
            )}
          </Field>
        );
      })}

      <details className="text-sm">
        <summary className="cursor-pointer text-zinc-700 dark:text-zinc-300">Start time and duration</summary>
        <div className="mt-3 space-y-4">
          <Field id="startsAt" label="Start (UTC)" hint="Leave empty to start now. The key works from this time once approved." error={errors.startsAt}>
            <Input id="startsAt" name="startsAt" type="datetime-local" defaultValue={v.startsAt ?? ""} {...invalid("startsAt")} />
          </Field>
          <Field
            id="durationDays"
            label="Duration in days"
            hint={plan.keyLifetimeDays ? `Up to ${plan.keyLifetimeDays} days (the default).` : "Leave empty for no expiry."}
            error={errors.durationDays}
          >
            <Input id="durationDays" name="durationDays" inputMode="numeric" defaultValue={v.durationDays ?? ""} {...invalid("durationDays")} />
          </Field>
        </div>
      </details>

      {state && !state.ok && state.message && !fixedAll && !onlyHiddenLeft ? (
        <div role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {state.message}
          {state.link ? (
            <>
              {" "}
              <Link href={state.link.href} className="font-medium underline">
                {state.link.label}
              </Link>
            </>
          ) : null}
        </div>
      ) : null}
      <Button type="submit" className="w-full" disabled={pending || disabled}>
        {pending ? "Submitting…" : "Submit request"}
      </Button>
    </form>
  );
}
