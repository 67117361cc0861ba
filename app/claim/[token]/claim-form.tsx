"use client";

import { Link } from "@/components/ui/link";
import { type ReactNode, useEffect, useRef } from "react";
import { KeyReveal } from "@/components/key-reveal";
import { OAuthClientReveal } from "@/components/oauth-client-reveal";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { useActionToast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { claimButtonLabel } from "@/components/claim-button-label";
import { claimKeyAction } from "./actions";

/**
 * `notice` (what happens next) shows until the credential is revealed, and is gone with the form after.
 * `credential`: what the request yields — an API key, or an OAuth 2.0 client for an OAuth product.
 */
export function ClaimForm({ token, notice, credential }: { token: string; notice: ReactNode; credential: "key" | "client" }) {
  // A person with an authenticator is asked for a code first; the same form is sent again after it.
  const { state, pending, onSubmit } = useStepUpAction(claimKeyAction);
  useActionToast(state, {
    fallback: credential === "client" ? "OAuth client created. Copy its secret now: it is shown only this once." : "Key created. Copy it now: it is shown only this once.",
  });
  const revealRef = useRef<HTMLDivElement>(null);
  const revealed = Boolean(state?.revealedKey ?? state?.revealedClient);
  // Focus goes to the new key (or client id), ready to copy.
  useEffect(() => {
    if (revealed) revealRef.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, [revealed]);
  if (state?.revealedClient) {
    return (
      <div ref={revealRef} className="space-y-4">
        <OAuthClientReveal client={state.revealedClient} />
        <Link href={`/requests/${state.revealedClient.requestId}`} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
          I have saved it: go to the request
        </Link>
      </div>
    );
  }
  if (state?.revealedKey) {
    const k = state.revealedKey;
    return (
      <div ref={revealRef} className="space-y-4">
        <KeyReveal plaintext={k.plaintext} start={k.start} expiresAt={k.expiresAt} />
        <Link href={`/requests/${k.requestId}`} className="text-sm text-indigo-600 underline dark:text-indigo-400">
          I have saved it: go to the request
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      {notice}
      <input type="hidden" name="token" value={token} />
      <Button type="submit" disabled={pending}>
        {claimButtonLabel(credential, pending)}
      </Button>
      <div aria-live="polite">
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
