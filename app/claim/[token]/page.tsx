import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { db } from "@/db/client";
import { currentUser } from "@/lib/auth/guards";
import { claimRefusal, inspectClaimLink } from "@/lib/keys/claim-key";
import { ClaimForm } from "./claim-form";

// The token must not travel on in a Referer header; caching rules are set in next.config.mjs.
export const metadata: Metadata = { title: "Claim your API key", referrer: "no-referrer", robots: { index: false } };
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
        <h1 className="text-2xl font-semibold">Claim your API key</h1>
        <p>Sign in with the email address this link was sent to. You will come back here to see your key.</p>
        <Link
          href={`/signin?callbackUrl=${encodeURIComponent(`/claim/${token}`)}`}
          className="inline-flex h-10 items-center rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Sign in to continue
        </Link>
      </Card>
    );
  }
  const state = await inspectClaimLink(db, token, user.id);
  if (state.state !== "ready") {
    const requestId = "requestId" in state ? state.requestId : null;
    return (
      <Card className="mx-auto max-w-lg space-y-4">
        <h1 className="text-2xl font-semibold">This link cannot be used</h1>
        <p data-testid="claim-refusal">{claimRefusal(state)}</p>
        <Link href={requestId ? `/requests/${requestId}` : "/requests"} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
          {requestId ? "Open the request" : "Go to My requests"}
        </Link>
      </Card>
    );
  }
  return (
    <Card className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-semibold">Claim your API key</h1>
      <p>
        Access to <strong>{state.productNames.join(", ")}</strong> ({state.planName} plan) for app <strong>{state.appName}</strong> was
        approved.
      </p>
      <ClaimForm
        token={token}
        notice={
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The key is shown once, on the next screen. Have somewhere safe to keep it, such as your secret manager. This link then
            stops working.
          </p>
        }
      />
    </Card>
  );
}
