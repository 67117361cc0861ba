import type { Metadata } from "next";
import { Button } from "@/components/ui/button";
import { Link } from "@/components/ui/link";
import { Card } from "@/components/ui/card";
import { db } from "@/db/client";
import { currentUser } from "@/lib/auth/guards";
import { claimRefusal, inspectClaimLink } from "@/lib/keys/claim-key";
import { requestIsOAuth } from "@/lib/oauth/clients";
import { ClaimForm } from "./claim-form";

// The token must not travel on in a Referer header; caching rules are set in next.config.mjs.
export const metadata: Metadata = { title: "Claim your credentials", referrer: "no-referrer", robots: { index: false } };
export const dynamic = "force-dynamic";

/**
 * GET only shows what the link is for: mail scanners open links, so nothing is used up until the
 * signed-in requester confirms (the POST of ClaimForm).
 */
export default async function ClaimPage({ params }: PageProps<"/claim/[token]">) {
  const { token } = await params;
  const user = await currentUser();
  if (!user) {
    return (
      <Card className="mx-auto max-w-lg space-y-4">
        <h1 className="text-2xl font-semibold">Claim your credentials</h1>
        <p>Sign in with the email address this link was sent to. You will come back here to see your API key or OAuth client.</p>
        <Button asChild>
          <Link href={`/signin?callbackUrl=${encodeURIComponent(`/claim/${token}`)}`}>Sign in to continue</Link>
        </Button>
      </Card>
    );
  }
  const state = await inspectClaimLink(db, token, user.id);
  if (state.state !== "ready") {
    const requestId = "requestId" in state ? state.requestId : null;
    const oauth = requestId !== null && (await requestIsOAuth(db, requestId));
    return (
      <Card className="mx-auto max-w-lg space-y-4">
        <h1 className="text-2xl font-semibold">This link cannot be used</h1>
        <p data-testid="claim-refusal">{claimRefusal(state, oauth ? "client" : "key")}</p>
        <Link href={requestId ? `/requests/${requestId}` : "/requests"} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
          {requestId ? "Open the request" : "Go to My requests"}
        </Link>
      </Card>
    );
  }
  // An OAuth 2.0 product's request yields a client (id + secret), not a key: the page says which.
  const oauth = await requestIsOAuth(db, state.requestId);
  return (
    <Card className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-semibold">{oauth ? "Claim your OAuth 2.0 client" : "Claim your API key"}</h1>
      <p>
        Access to <strong>{state.productNames.join(", ")}</strong> ({state.planName} plan) for app <strong>{state.appName}</strong> was
        approved.
      </p>
      <ClaimForm
        token={token}
        credential={oauth ? "client" : "key"}
        notice={
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {oauth
              ? "Your app gets a client ID and a client secret, on the next screen. The secret is shown once: have somewhere safe to keep it, such as your secret manager. This link then stops working."
              : "The key is shown once, on the next screen. Have somewhere safe to keep it, such as your secret manager. This link then stops working."}
          </p>
        }
      />
    </Card>
  );
}
