"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useEffect } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { useActionToast } from "@/components/toast";
import { type FieldPath, type Resolver, useFieldArray, useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import type { HandoffEndpointChoice } from "@/lib/plans/handoff-endpoints";
import { type PlanFields, type PlanFormValues, keyFromLabel, planSchema } from "@/lib/plans/plan-schema";
import { createPlanAction, updatePlanAction } from "./actions";

// The schema also reads FormData (the field list as JSON text), so its input type is wider than the
// form's values; the form only ever hands it PlanFormValues.
const resolver = zodResolver(planSchema) as unknown as Resolver<PlanFormValues, unknown, PlanFields>;

/** Booleans and numbers go as text, the field list as JSON: what the shared schema reads from FormData. */
function toFormData(values: PlanFormValues, id?: string) {
  const data = new FormData();
  if (id) data.set("id", id);
  for (const [k, v] of Object.entries(values)) {
    // A disabled checkbox reads as undefined: leave it out, which the schema reads as unticked.
    if (v === undefined) continue;
    data.set(k, k === "requestFields" ? JSON.stringify(v) : String(v));
  }
  return data;
}

export function PlanForm({ id, defaults, endpoints }: { id?: string; defaults: PlanFormValues; endpoints: HandoffEndpointChoice[] }) {
  const { state, dispatch, pending } = useStepUpAction(id ? updatePlanAction : createPlanAction);
  // Saved: a toast besides the line under the form, which may be out of sight below the fields.
  useActionToast(state);
  const form = useForm<PlanFormValues, unknown, PlanFields>({ resolver, defaultValues: defaults, mode: "onTouched" });
  const { register, control, watch, formState, setError, handleSubmit } = form;
  const fields = useFieldArray({ control, name: "requestFields" });

  // The server checks again (and knows what the browser cannot, e.g. a name already in use).
  useEffect(() => {
    for (const [key, message] of Object.entries(state?.fieldErrors ?? {})) {
      setError(key as FieldPath<PlanFormValues>, { type: "server", message });
    }
  }, [state, setError]);

  const errorOf = (path: string): string | undefined => {
    let node: unknown = formState.errors;
    for (const part of path.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
    return (node as { message?: string } | undefined)?.message;
  };
  const aria = (path: string) => (errorOf(path) ? { "aria-invalid": true as const, "aria-describedby": `${path}-error` } : {});

  const keyLifetime = watch("keyLifetime");
  const reviewRequired = watch("reviewRequired");
  const approval = watch("approval");
  // Enabled endpoints, and the plan's current one even when it has been disabled since.
  const endpointChoices = endpoints.filter((e) => e.enabled || e.id === defaults.handoffEndpointId);
  const onValid = () => {
    const data = toFormData(form.getValues(), id);
    startTransition(() => dispatch(data));
  };

  return (
    <form onSubmit={handleSubmit(onValid)} noValidate className="max-w-3xl space-y-6">
      <div className="grid gap-6 sm:grid-cols-2">
        <Field id="name" label="Name" error={errorOf("name")}>
          <Input id="name" {...register("name")} {...aria("name")} />
        </Field>
        <Field id="approvalsRequired" label="Approvals required" hint="Distinct approvers, 1 to 5." error={errorOf("approvalsRequired")}>
          <Input id="approvalsRequired" inputMode="numeric" {...register("approvalsRequired")} {...aria("approvalsRequired")} />
        </Field>
      </div>
      <Field id="description" label="Description" hint="Shown on the plan's card in the catalogue." error={errorOf("description")}>
        <Textarea id="description" rows={3} className="inline-block" {...register("description")} {...aria("description")} />
      </Field>
      <fieldset className="space-y-2" aria-describedby={errorOf("approval") ? "approval-error" : undefined}>
        <legend className="text-sm font-medium">Approval</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" value="manual" className="mt-0.5" {...register("approval")} />
          <span>
            <span className="font-medium">Approve manually</span>
            <span className="block text-zinc-500 dark:text-zinc-400">Owners and admins decide each request in the approval queue.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" value="automatic" className="mt-0.5" {...register("approval")} />
          <span>
            <span className="font-medium">Approve automatically</span>
            <span className="block text-zinc-500 dark:text-zinc-400">Requests are approved when submitted, and still recorded and audited.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" value="external" className="mt-0.5" {...register("approval")} />
          <span>
            <span className="font-medium">External: a third party decides</span>
            <span className="block text-zinc-500 dark:text-zinc-400">
              The chosen webhook endpoint gets the access_request.created event and approves or denies through the REST API with a Product approver key. The
              request waits as &quot;Waiting for …&quot; in the queue, where owners and admins can still decide it; after the timeout it falls back to manual
              approval and the approvers are emailed.
            </span>
          </span>
        </label>
        {errorOf("approval") ? (
          <p id="approval-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
            {errorOf("approval")}
          </p>
        ) : null}
        {approval === "external" ? (
          <div className="grid gap-6 pl-6 sm:grid-cols-2">
            <Field
              id="handoffEndpointId"
              label="Webhook endpoint"
              hint={endpointChoices.length === 0 ? "No enabled webhook endpoint yet: an admin adds one under Admin → Webhooks." : "Its third party decides these requests."}
              error={errorOf("handoffEndpointId")}
            >
              <Select id="handoffEndpointId" {...register("handoffEndpointId")} {...aria("handoffEndpointId")}>
                <option value="">Choose an endpoint…</option>
                {endpointChoices.map((e) => (
                  <option key={e.id} value={e.id}>
                    {e.enabled ? e.name : `${e.name} (disabled)`}
                  </option>
                ))}
              </Select>
            </Field>
            <Field id="handoffTimeoutHours" label="Hand-off timeout (hours)" hint="Undecided after this long, the request falls back to manual approval. 1 to 720, default 72." error={errorOf("handoffTimeoutHours")}>
              <Input id="handoffTimeoutHours" inputMode="numeric" {...register("handoffTimeoutHours")} {...aria("handoffTimeoutHours")} />
            </Field>
          </div>
        ) : null}
      </fieldset>
      <Field
        id="redirectUrl"
        label="Redirect after submit (optional)"
        hint="After submitting, the consumer is sent to this https:// address (a checkout page, say) with a signed, expiring reference to the request; the third party then confirms or cancels the request through the REST API, and the consumer sees it pending meanwhile. Leave empty to stay in the portal."
        error={errorOf("redirectUrl")}
      >
        <Input id="redirectUrl" type="url" placeholder="https://billing.example.com/checkout" {...register("redirectUrl")} {...aria("redirectUrl")} />
      </Field>

      <fieldset className="grid gap-6 sm:grid-cols-2">
        <legend className="sr-only">Keys and links</legend>
        <Field id="keyLifetime" label="Key lifetime" error={errorOf("keyLifetime")}>
          <Select id="keyLifetime" {...register("keyLifetime")} {...aria("keyLifetime")}>
            <option value="30">30 days</option>
            <option value="90">90 days</option>
            <option value="180">180 days</option>
            <option value="365">365 days</option>
            <option value="custom">Custom number of days</option>
            <option value="none">No expiry</option>
          </Select>
        </Field>
        {keyLifetime === "custom" ? (
          <Field id="customKeyLifetimeDays" label="Key lifetime in days" hint="1 to 3650." error={errorOf("customKeyLifetimeDays")}>
            <Input id="customKeyLifetimeDays" inputMode="numeric" {...register("customKeyLifetimeDays")} {...aria("customKeyLifetimeDays")} />
          </Field>
        ) : (
          <div className="hidden sm:block" />
        )}
        <Field id="claimLinkLifetimeHours" label="Claim link lifetime (hours)" hint="How long the one-time link to a new key works. Default 72." error={errorOf("claimLinkLifetimeHours")}>
          <Input id="claimLinkLifetimeHours" inputMode="numeric" {...register("claimLinkLifetimeHours")} {...aria("claimLinkLifetimeHours")} />
        </Field>
        <div className="hidden sm:block" />
        <Field id="rateLimitPerMinute" label="Rate limit per minute" hint="Empty for unlimited. Verify answers 429 past it when Portico enforces the limits." error={errorOf("rateLimitPerMinute")}>
          <Input id="rateLimitPerMinute" inputMode="numeric" {...register("rateLimitPerMinute")} {...aria("rateLimitPerMinute")} />
        </Field>
        <Field id="quotaPerMonth" label="Quota per month" hint="Empty for unlimited." error={errorOf("quotaPerMonth")}>
          <Input id="quotaPerMonth" inputMode="numeric" {...register("quotaPerMonth")} {...aria("quotaPerMonth")} />
        </Field>
        <fieldset className="sm:col-span-2">
          <legend className="text-sm font-medium">Limits enforced by</legend>
          <div className="mt-1 flex flex-wrap gap-x-6 gap-y-1 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" value="portico" {...register("enforceLimits")} />
              Portico (verify answers 429 past a limit)
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" value="gateway" {...register("enforceLimits")} />
              The API&apos;s gateway (verify only counts)
            </label>
          </div>
        </fieldset>
        <Field
          id="reminderDays"
          label="Expiry reminders (days before)"
          hint="Days before a key expires when its requester is reminded, in one daily digest email; 0 = on the expiry day. Up to 6, such as 30, 7, 1, 0. Empty: no reminders."
          error={errorOf("reminderDays")}
        >
          <Input id="reminderDays" placeholder="30, 7, 1, 0" {...register("reminderDays")} {...aria("reminderDays")} />
        </Field>
        <Field
          id="maxGraceHours"
          label="Longest grace after a roll (hours)"
          hint="How long a rolled key may keep working: the consumer chooses none, 1 hour, 24 hours or 7 days, up to this. 0 to 720, default 168."
          error={errorOf("maxGraceHours")}
        >
          <Input id="maxGraceHours" inputMode="numeric" {...register("maxGraceHours")} {...aria("maxGraceHours")} />
        </Field>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Review</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-0.5" {...register("reviewRequired")} />
          <span>
            <span className="font-medium">Review required</span>
            <span className="block text-zinc-500 dark:text-zinc-400">Every approval, auto-approval and revocation lands in the review queue.</span>
          </span>
        </label>
        <label className={`flex items-start gap-2 pl-6 text-sm ${reviewRequired ? "" : "opacity-60"}`}>
          <input type="checkbox" className="mt-0.5" disabled={!reviewRequired} {...register("reviewCommentRequired")} />
          <span className="font-medium">Reviewers must leave a comment</span>
        </label>
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">Request fields</legend>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Questions the requester answers when asking for access (a reason is always asked).</p>
        {errorOf("requestFields") ? (
          <p id="requestFields-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
            {errorOf("requestFields")}
          </p>
        ) : null}
        {fields.fields.map((f, i) => {
          const type = watch(`requestFields.${i}.type`);
          const label = watch(`requestFields.${i}.label`);
          const p = `requestFields.${i}`;
          return (
            <div key={f.id} className="space-y-3 rounded-md border border-zinc-200 p-4 dark:border-zinc-800" data-testid="request-field">
              <div className="grid gap-3 sm:grid-cols-[1fr_12rem]">
                <Field id={`${p}.label`} label={`Field ${i + 1} label`} hint={label ? `Key: ${keyFromLabel(label) || `field${i + 1}`}` : undefined} error={errorOf(`${p}.label`)}>
                  <Input id={`${p}.label`} {...register(`requestFields.${i}.label`)} {...aria(`${p}.label`)} />
                </Field>
                <Field id={`${p}.type`} label={`Field ${i + 1} type`} error={errorOf(`${p}.type`)}>
                  <Select id={`${p}.type`} {...register(`requestFields.${i}.type`)}>
                    <option value="text">Short text</option>
                    <option value="textarea">Long text</option>
                    <option value="select">List of options</option>
                  </Select>
                </Field>
              </div>
              {type === "select" ? (
                <Field id={`${p}.options`} label={`Field ${i + 1} options`} hint="One option per line." error={errorOf(`${p}.options`)}>
                  <Textarea id={`${p}.options`} rows={3} className="inline-block" {...register(`requestFields.${i}.options`)} {...aria(`${p}.options`)} />
                </Field>
              ) : null}
              <div className="flex flex-wrap items-center justify-between gap-2">
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" {...register(`requestFields.${i}.required`)} /> Field {i + 1} is required
                </label>
                <div className="flex gap-1">
                  <Button type="button" variant="ghost" size="sm" disabled={i === 0} onClick={() => fields.move(i, i - 1)} aria-label={`Move field ${i + 1} up`}>
                    ↑
                  </Button>
                  <Button type="button" variant="ghost" size="sm" disabled={i === fields.fields.length - 1} onClick={() => fields.move(i, i + 1)} aria-label={`Move field ${i + 1} down`}>
                    ↓
                  </Button>
                  <Button type="button" variant="ghost" size="sm" onClick={() => fields.remove(i)}>
                    Remove field {i + 1}
                  </Button>
                </div>
              </div>
            </div>
          );
        })}
        <Button type="button" variant="secondary" onClick={() => fields.append({ label: "", type: "text", required: true, options: "" })}>
          Add a field
        </Button>
      </fieldset>

      <div aria-live="polite">
        {state?.message ? (
          <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"}>
            {state.message}
          </p>
        ) : Object.keys(formState.errors).length > 0 && formState.isSubmitted ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            Check the highlighted fields.
          </p>
        ) : null}
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : id ? "Save plan" : "Create plan"}
      </Button>
    </form>
  );
}
