"use client";

import { useId } from "react";
import { KeyReveal } from "@/components/key-reveal";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { toast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { GRACE_CHOICES } from "@/lib/keys/roll-grace";
import { endClientAction, registerClientKeyAction, rollClientAction } from "./oauth-clients-actions";

function Problem({ state }: { state: { ok: boolean; message?: string; fieldErrors?: Record<string, string> } | null }) {
  return (
    <div aria-live="polite">
      {state && !state.ok && state.message ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {state.message}
        </p>
      ) : null}
    </div>
  );
}

/** Roll, register a public key, check in, revoke: one working OAuth client's controls on its app's page. */
export function OAuthClientControls({ id, appId, clientId, usesSecret, maxGraceHours }: { id: string; appId: string; clientId: string; usesSecret: boolean; maxGraceHours: number }) {
  // Toasts from the answer itself: revoke and check-in re-render the row without these controls.
  const done = (r: { ok: boolean; message?: string }) => {
    if (r.ok && r.message) toast.success(r.message);
  };
  const roll = useStepUpAction(rollClientAction, done);
  const register = useStepUpAction(registerClientKeyAction, done);
  const end = useStepUpAction(endClientAction, done);
  const uid = useId();
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-indigo-700 hover:underline dark:text-indigo-400">
        Manage <span className="sr-only">client {clientId}</span>
      </summary>
      <div className="mt-3 space-y-4">
        {roll.state?.revealedKey ? <KeyReveal plaintext={roll.state.revealedKey.plaintext} start={roll.state.revealedKey.start} expiresAt={null} note="client secret" /> : null}
        {usesSecret ? (
          <form onSubmit={roll.onSubmit} className="flex flex-wrap items-end gap-2" aria-label={`Roll the secret of ${clientId}`}>
            <input type="hidden" name="id" value={id} />
            <input type="hidden" name="appId" value={appId} />
            <div>
              <label htmlFor={`${uid}-grace`} className="block font-medium">
                The current secret keeps working for
              </label>
              <Select id={`${uid}-grace`} name="graceHours" defaultValue="0" className="w-auto px-2">
                {GRACE_CHOICES.filter((c) => c.hours <= maxGraceHours).map((c) => (
                  <option key={c.hours} value={String(c.hours)}>
                    {c.label.replace("key", "secret")}
                  </option>
                ))}
              </Select>
            </div>
            <Button type="submit" variant="secondary" disabled={roll.pending}>
              {roll.pending ? "Rolling…" : "Roll the secret"}
            </Button>
            <Problem state={roll.state} />
          </form>
        ) : null}
        <form onSubmit={register.onSubmit} className="space-y-2" aria-label={`Register a public key for ${clientId}`}>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="appId" value={appId} />
          <label htmlFor={`${uid}-jwk`} className="block font-medium">
            {usesSecret ? "Use a public key instead of a secret (private_key_jwt)" : "Replace the registered public key"}
          </label>
          <Textarea id={`${uid}-jwk`} name="publicKey" rows={4} placeholder='{"kty":"EC","crv":"P-256",…} or -----BEGIN PUBLIC KEY-----' className="font-mono text-xs" />
          <Button type="submit" variant="secondary" disabled={register.pending}>
            {register.pending ? "Registering…" : "Register the public key"}
          </Button>
          <Problem state={register.state} />
        </form>
        <div className="flex flex-wrap gap-2">
          {(["checked_in", "revoked"] as const).map((reason) => (
            <form key={reason} onSubmit={end.onSubmit}>
              <input type="hidden" name="id" value={id} />
              <input type="hidden" name="appId" value={appId} />
              <input type="hidden" name="reason" value={reason} />
              <Button type="submit" variant={reason === "revoked" ? "destructive" : "secondary"} disabled={end.pending}>
                {reason === "revoked" ? "Revoke (it leaked)" : "Give up this client (done with it)"}
              </Button>
            </form>
          ))}
        </div>
        <Problem state={end.state} />
      </div>
    </details>
  );
}
