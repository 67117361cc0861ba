import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { appSchema } from "@/lib/apps/app-schema";

type Errors = Record<string, string> | undefined;

/**
 * Checks the form with the same schema the server uses, so most mistakes are shown without a round
 * trip. Returns the errors, or null when the form may be submitted.
 */
export function checkAppForm(form: HTMLFormElement): Record<string, string> | null {
  const data = new FormData(form);
  const parsed = appSchema.safeParse({ name: data.get("name"), description: data.get("description") ?? undefined });
  return parsed.success ? null : fieldErrorsOf(parsed.error);
}

/** Name and description inputs, with each error beside its field. `prefix` keeps ids unique per page. */
export function AppFormFields({
  prefix,
  errors,
  values,
}: {
  prefix: string;
  errors: Errors;
  values: { name?: string; description?: string };
}) {
  const nameId = `${prefix}-name`;
  const descriptionId = `${prefix}-description`;
  const nameError = errors?.name;
  const descriptionError = errors?.description;
  return (
    <>
      <Field id={nameId} label="Name" error={nameError} hint="Up to 80 characters. Approvers see it with your requests.">
        <Input
          id={nameId}
          name="name"
          required
          autoComplete="off"
          defaultValue={values.name ?? ""}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${nameId}-error` : undefined}
          placeholder="Billing sync"
        />
      </Field>
      <Field id={descriptionId} label="Description (optional)" error={descriptionError} hint="What the app does, up to 1000 characters.">
        <Textarea
          id={descriptionId}
          name="description"
          rows={3}
          defaultValue={values.description ?? ""}
          aria-invalid={descriptionError ? true : undefined}
          aria-describedby={descriptionError ? `${descriptionId}-error` : undefined}
        />
      </Field>
    </>
  );
}
