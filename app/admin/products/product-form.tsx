"use client";

import { useState } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { useActionToast } from "@/components/toast";
import { MarkdownEditor } from "@/components/markdown-editor";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useServerForm } from "@/components/use-server-form";
import type { OfferablePlan } from "@/lib/products/offerable-plans";
import { createProductAction, updateProductAction } from "./actions";
import { OpenApiEditor } from "./openapi-editor";

export type ProductFormDefaults = {
  id?: string;
  name: string;
  slug: string;
  summary: string;
  description: string;
  tags: string[];
  authMethod: "api_key" | "oauth2";
  planIds: string[];
  openapi: string;
};

const slugFrom = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);

export function ProductForm({ product, plans }: { product: ProductFormDefaults; plans: OfferablePlan[] }) {
  const editing = Boolean(product.id);
  const { state, dispatch, pending } = useStepUpAction(editing ? updateProductAction : createProductAction);
  const [name, setName] = useState(product.name);
  const [slug, setSlug] = useState(product.slug);
  const [slugTouched, setSlugTouched] = useState(editing);
  const [openapi, setOpenapi] = useState(product.openapi);
  const [fileNote, setFileNote] = useState<string | null>(null);
  useActionToast(state);
  const errors = state?.fieldErrors ?? {};
  const { formRef, onSubmit } = useServerForm(state, dispatch);
  // Zod reports list items as "tags.2"; the form shows them beside the list.
  const errorFor = (key: string) => errors[key] ?? Object.entries(errors).find(([k]) => k.startsWith(`${key}.`))?.[1];
  // Every problem in the document, as the server listed them ("openapi.1", "openapi.2", …).
  const openapiProblems = Object.entries(errors)
    .filter(([k]) => /^openapi\.\d+$/.test(k))
    .sort(([a], [b]) => Number(a.split(".")[1]) - Number(b.split(".")[1]))
    .map(([, v]) => v);
  const invalid = (key: string) => (errorFor(key) ? { "aria-invalid": true as const, "aria-describedby": `${key}-error` } : {});

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > 500_000) {
      setFileNote(`${file.name} is over 500 KB. Remove unused parts or examples and try again.`);
      return;
    }
    setOpenapi(await file.text());
    setFileNote(`Loaded ${file.name}. It is checked when you save.`);
  };

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="max-w-3xl space-y-6">
      {product.id ? <input type="hidden" name="id" value={product.id} /> : null}
      <div className="grid gap-6 sm:grid-cols-2">
        <Field id="name" label="Name" error={errorFor("name")}>
          <Input
            id="name"
            name="name"
            value={name}
            maxLength={200}
            onChange={(e) => {
              setName(e.target.value);
              if (!slugTouched) setSlug(slugFrom(e.target.value));
            }}
            {...invalid("name")}
          />
        </Field>
        <Field id="slug" label="Slug" hint={`The address: /apis/${slug || "your-api"}`} error={errorFor("slug")}>
          <Input
            id="slug"
            name="slug"
            value={slug}
            maxLength={200}
            autoCapitalize="none"
            spellCheck={false}
            onChange={(e) => {
              setSlugTouched(true);
              setSlug(e.target.value);
            }}
            {...invalid("slug")}
          />
        </Field>
      </div>
      <Field id="summary" label="Summary" hint="One line for the catalogue card." error={errorFor("summary")}>
        <Input id="summary" name="summary" defaultValue={product.summary} maxLength={400} {...invalid("summary")} />
      </Field>
      <Field id="description" label="Description (Markdown)" error={errorFor("description")}>
        <MarkdownEditor
          id="description"
          name="description"
          defaultValue={product.description}
          invalid={Boolean(errorFor("description"))}
          describedBy={errorFor("description") ? "description-error" : undefined}
        />
      </Field>
      <div className="grid gap-6 sm:grid-cols-2">
        <Field id="tags" label="Tags" hint="Separated by commas, e.g. payments, finance" error={errorFor("tags")}>
          <Input id="tags" name="tags" defaultValue={product.tags.join(", ")} {...invalid("tags")} />
        </Field>
        <Field id="authMethod" label="Authentication" error={errorFor("authMethod")}>
          <Select id="authMethod" name="authMethod" defaultValue={product.authMethod} {...invalid("authMethod")}>
            <option value="api_key">API key</option>
            <option value="oauth2">OAuth 2.0</option>
          </Select>
        </Field>
      </div>

      <fieldset className="space-y-2" aria-describedby={errorFor("planIds") ? "planIds-error" : undefined}>
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Plans offered</legend>
        {plans.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            No plans yet. <a href="/admin/plans/new" className="text-indigo-600 dark:text-indigo-400 underline">Create a plan</a>, then come back to offer it.
          </p>
        ) : (
          <ul className="grid gap-2 sm:grid-cols-2">
            {plans.map((p) => (
              <li key={p.id}>
                <label className="flex items-start gap-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
                  <input type="checkbox" name="planIds" value={p.id} defaultChecked={product.planIds.includes(p.id)} className="mt-0.5" />
                  <span>
                    <span className="font-medium">{p.name}</span>
                    <span className="block text-xs text-zinc-500 dark:text-zinc-400">{p.autoApprove ? "Approved automatically" : "Needs approval"}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {errorFor("planIds") ? (
          <p id="planIds-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
            {errorFor("planIds")}
          </p>
        ) : null}
      </fieldset>

      <div className="space-y-1.5">
        <span id="openapi-label" className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
          OpenAPI document (JSON or YAML)
        </span>
        <OpenApiEditor
          value={openapi}
          onChange={setOpenapi}
          labelId="openapi-label"
          invalid={Boolean(errors.openapi)}
          describedBy={errors.openapi ? "openapi-error" : "openapi-hint"}
        />
        {errors.openapi ? (
          <div id="openapi-error" role="alert" className="space-y-1 text-sm text-red-600 dark:text-red-400">
            {openapiProblems.length > 1 ? (
              <>
                <p>The OpenAPI document has {openapiProblems.length} problems. Fix each, then save again:</p>
                <ul className="list-disc space-y-0.5 pl-5" aria-label="Problems in the OpenAPI document">
                  {openapiProblems.map((problem) => (
                    <li key={problem} className="break-words" data-testid="openapi-problem">
                      {problem}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p>{errors.openapi}</p>
            )}
          </div>
        ) : (
          <p id="openapi-hint" className="text-xs text-zinc-600 dark:text-zinc-400">
            Paste it here or load a file. Leave empty for no API reference. It is checked against the OpenAPI specification when you save.
          </p>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label htmlFor="openapi-file" className="font-medium">
          Load from a file
        </label>
        <input
          id="openapi-file"
          type="file"
          accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
          onChange={(e) => void readFile(e.target.files?.[0])}
          className="text-sm"
        />
        {openapi ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => setOpenapi("")}>
            Remove document
          </Button>
        ) : null}
        {fileNote ? (
          <p role="status" className="w-full text-zinc-600 dark:text-zinc-400">
            {fileNote}
          </p>
        ) : null}
      </div>

      <div aria-live="polite">
        {state?.message ? (
          <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"}>
            {state.message}
          </p>
        ) : null}
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : editing ? "Save changes" : "Create product"}
      </Button>
    </form>
  );
}
