"use client";

import { useActionToast } from "@/components/toast";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { startTransition, useEffect, useRef, useState } from "react";
import { type Resolver, useForm } from "react-hook-form";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { useHydrated } from "@/components/use-hydrated";
import { EVENT_GROUPS, type EndpointFormValues, endpointFormDefaults } from "@/lib/webhooks/endpoint-form";
import { endpointInput } from "@/lib/webhooks/endpoint-schema";
import { addWebhookEndpointAction, editWebhookEndpointAction } from "./actions";
import { SecretDialog } from "./secret-dialog";

type ProductChoice = { id: string; name: string; status: string };

// The form holds endpointInput's shape; its output type (defaults applied) is what the server gets.
const resolver = zodResolver(endpointInput) as unknown as Resolver<EndpointFormValues, unknown, unknown>;

/** The RHF field a server error belongs to ("eventTypes.0" → "eventTypes"). */
type FieldName = keyof EndpointFormValues;
const fieldOf = (key: string) => key.split(".")[0] as FieldName;

const boxClass = "h-4 w-4 rounded border-zinc-400 text-indigo-600 dark:text-indigo-400 focus-visible:outline-2 focus-visible:outline-indigo-500";

/** Add (then the secret, once) or Edit an endpoint: name, description, URL, events, products, enabled. */
export function EndpointForm({ products, edit }: { products: ProductChoice[]; edit?: { id: string; values: EndpointFormValues } }) {
  // Privileged (step-up): the new secret, or where the events go. The form keeps its values while a code is asked for.
  const { state, dispatch: action, pending } = useStepUpAction(edit ? editWebhookEndpointAction : addWebhookEndpointAction);
  useActionToast(state);
  const hydrated = useHydrated();
  const router = useRouter();
  const form = useForm<EndpointFormValues, unknown, unknown>({ resolver, defaultValues: edit?.values ?? endpointFormDefaults(), mode: "onTouched" });
  const { register, watch, setValue, formState, setError, setFocus, handleSubmit } = form;
  // The lists chosen before switching to "All", so switching back keeps them.
  const lastEvents = useRef<string[]>(Array.isArray(edit?.values.eventTypes) ? edit.values.eventTypes : []);
  const lastProducts = useRef<string[]>(Array.isArray(edit?.values.productIds) ? edit.values.productIds : []);
  const [done, setDone] = useState(false);

  // The server checks again and knows what the browser cannot (a name in use, a private address).
  useEffect(() => {
    const errors = Object.entries(state?.fieldErrors ?? {});
    for (const [key, message] of errors) setError(fieldOf(key), { type: "server", message });
    const first = errors[0]?.[0];
    if (first && ["name", "description", "url"].includes(fieldOf(first))) setFocus(fieldOf(first));
  }, [state, setError, setFocus]);

  const errorOf = (path: FieldName) => formState.errors[path]?.message as string | undefined;
  const aria = (path: FieldName) => (errorOf(path) ? { "aria-invalid": true as const, "aria-describedby": `${path}-error` } : {});
  const eventTypes = watch("eventTypes");
  const productIds = watch("productIds");
  const revealed = state?.ok ? state.revealedWebhookSecret : undefined;

  const toggleIn = (field: "eventTypes" | "productIds", id: string, on: boolean) => {
    const current = form.getValues(field);
    const list = Array.isArray(current) ? current : [];
    const next = on ? [...new Set([...list, id])] : list.filter((x) => x !== id);
    (field === "eventTypes" ? lastEvents : lastProducts).current = next;
    setValue(field, next, { shouldValidate: formState.isSubmitted, shouldDirty: true });
  };
  const chooseAll = (field: "eventTypes" | "productIds", all: boolean) =>
    setValue(field, all ? "all" : (field === "eventTypes" ? lastEvents : lastProducts).current, { shouldValidate: formState.isSubmitted, shouldDirty: true });

  const onValid = () => {
    const v = form.getValues();
    const data = new FormData();
    if (edit) data.set("id", edit.id);
    data.set("name", v.name);
    data.set("description", v.description);
    data.set("url", v.url);
    data.set("eventTypes", v.eventTypes === "all" ? "all" : JSON.stringify(v.eventTypes));
    data.set("productIds", v.productIds === "all" ? "all" : JSON.stringify(v.productIds));
    data.set("enabled", v.enabled ? "true" : "false");
    startTransition(() => action(data));
  };

  const eventsError = errorOf("eventTypes");
  const productsError = errorOf("productIds");
  const visibleProducts = products.filter((p) => p.status !== "archived" || (Array.isArray(productIds) && productIds.includes(p.id)));

  return (
    <>
      <form onSubmit={handleSubmit(onValid)} noValidate className="max-w-3xl space-y-6">
        <div className="grid gap-6 sm:grid-cols-2">
          <Field id="name" label="Name" hint="Who receives these events, e.g. Billing system. Unique." error={errorOf("name")}>
            <Input id="name" maxLength={80} autoComplete="off" {...register("name")} {...aria("name")} />
          </Field>
          <Field id="url" label="Endpoint URL" hint="Where events are posted (https), e.g. https://billing.example.com/portico/webhooks." error={errorOf("url")}>
            <Input id="url" type="url" inputMode="url" autoComplete="off" spellCheck={false} {...register("url")} {...aria("url")} />
          </Field>
        </div>
        <Field id="description" label="Description (optional)" hint="What the receiver does with the events, for the next admin." error={errorOf("description")}>
          <Textarea
            id="description"
            rows={2}
            maxLength={500}
            className="inline-block"
            {...register("description")}
            {...aria("description")}
          />
        </Field>

        <fieldset className="space-y-3" aria-describedby={eventsError ? "eventTypes-error" : undefined}>
          <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Events</legend>
          <div className="flex flex-col gap-2 sm:flex-row sm:gap-6">
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="events-choice" checked={eventTypes === "all"} onChange={() => chooseAll("eventTypes", true)} />
              All events (and those added later)
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="events-choice" checked={eventTypes !== "all"} onChange={() => chooseAll("eventTypes", false)} />
              Only the events I choose
            </label>
          </div>
          {eventTypes !== "all" ? (
            <div className="grid gap-4 md:grid-cols-3">
              {EVENT_GROUPS.map((g) => (
                <fieldset key={g.prefix} className="space-y-2">
                  <legend className="text-xs font-semibold tracking-wide text-zinc-500 dark:text-zinc-400 uppercase">{g.label}</legend>
                  {g.types.map((t) => (
                    <label key={t.type} className="flex items-start gap-2 text-sm">
                      <input type="checkbox" className={`${boxClass} mt-0.5 shrink-0`} checked={eventTypes.includes(t.type)} onChange={(e) => toggleIn("eventTypes", t.type, e.target.checked)} aria-describedby={`event-${t.type}-help`} />
                      <span className="min-w-0">
                        <span className="break-all font-mono text-xs">{t.type}</span>
                        <span id={`event-${t.type}-help`} className="block text-xs text-zinc-600 dark:text-zinc-400">
                          {t.description}
                        </span>
                      </span>
                    </label>
                  ))}
                </fieldset>
              ))}
            </div>
          ) : null}
          {eventsError ? (
            <p id="eventTypes-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
              {eventsError}
            </p>
          ) : null}
        </fieldset>

        <fieldset className="space-y-3" aria-describedby={productsError ? "productIds-error" : undefined}>
          <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Products</legend>
          <div className="flex flex-col gap-2 sm:flex-row sm:gap-6">
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="products-choice" checked={productIds === "all"} onChange={() => chooseAll("productIds", true)} />
              Events about any product
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="products-choice" checked={productIds !== "all"} onChange={() => chooseAll("productIds", false)} />
              Only events about the products I choose
            </label>
          </div>
          {productIds !== "all" ? (
            visibleProducts.length === 0 ? (
              <p className="text-sm text-zinc-500 dark:text-zinc-400">No products yet: choose any product, or create a product first.</p>
            ) : (
              <ul className="grid gap-1 sm:grid-cols-2">
                {visibleProducts.map((p) => (
                  <li key={p.id}>
                    <label className="flex items-center gap-2 text-sm">
                      <input type="checkbox" className={boxClass} checked={productIds.includes(p.id)} onChange={(e) => toggleIn("productIds", p.id, e.target.checked)} />
                      <span>
                        {p.name}
                        {p.status !== "published" ? <span className="text-xs text-zinc-500 dark:text-zinc-400"> ({p.status})</span> : null}
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )
          ) : null}
          {productsError ? (
            <p id="productIds-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
              {productsError}
            </p>
          ) : null}
        </fieldset>

        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className={`${boxClass} mt-0.5`} {...register("enabled")} />
          <span>
            Enabled
            <span className="block text-xs text-zinc-600 dark:text-zinc-400">A disabled endpoint is sent nothing until it is enabled again.</span>
          </span>
        </label>

        <div aria-live="polite">
          {state && !state.ok && state.message ? (
            <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
              {state.message}
            </p>
          ) : null}
          {state?.ok && edit ? (
            <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              {state.message}
            </p>
          ) : null}
        </div>
        <Button type="submit" disabled={pending || !hydrated || Boolean(revealed && !done)}>
          {pending ? (edit ? "Saving…" : "Adding…") : edit ? "Save endpoint" : "Add endpoint"}
        </Button>
      </form>
      {revealed && !done ? (
        <SecretDialog
          title="Webhook endpoint added"
          name={revealed.name}
          secret={revealed.secret}
          onClosed={() => {
            setDone(true);
            router.push(`/admin/webhooks/${revealed.endpointId}`);
          }}
        />
      ) : null}
    </>
  );
}
