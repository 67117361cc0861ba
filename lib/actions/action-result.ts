import type { z } from "zod";

/** What every server action returns: never a raw error. */
export type ActionResult = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string>;
  /** Echo of the submitted values so a form can keep them after an error. */
  values?: Record<string, string>;
  link?: { href: string; label: string };
  /** Nothing was done: a privileged action needs a second-factor code first (lib/second-factor/step-up.ts). */
  stepUp?: boolean;
  /** Id of what the action created, for redirects and tests. */
  id?: string;
  /** A new API key, shown once by the form that asked for it; never stored or logged. */
  revealedKey?: { plaintext: string; start: string; expiresAt: string | null; requestId: string; note?: string };
  /** A new OAuth client's secret (lib/oauth), shown once with its id and token call; never stored or logged. */
  revealedClient?: { clientId: string; clientSecret: string; tokenUrl: string; expiresAt: string | null; scopes: string[]; requestId: string };
  /** A new portal API access key's token, shown once in the Add dialog; never stored or logged. */
  revealedAccessKey?: { name: string; token: string; expiresAt: string };
  /** A webhook endpoint's new signing secret (Add or Rotate), shown once; never stored in plaintext or logged. */
  /** Second-factor recovery codes (setup confirmed or replaced), shown once; only their hashes are stored. */
  revealedRecoveryCodes?: string[];
  revealedWebhookSecret?: { endpointId: string; name: string; secret: string; previousValidUntil?: string };
};

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    out[key] ??= issue.message;
  }
  return out;
}

export function formValues(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formData.entries()) {
    if (typeof v === "string" && !k.startsWith("$")) out[k] = v.slice(0, 1000);
  }
  return out;
}
