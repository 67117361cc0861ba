import type { Metadata } from "next";
import { headers } from "next/headers";
import { Link } from "@/components/ui/link";
import { redirect } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { githubEnabled } from "@/lib/auth";
import { currentUser } from "@/lib/auth/guards";
import { safeCallbackPath } from "@/lib/auth/links";
import { canSendEmail, noEmailSignIn } from "@/lib/mail/can-send-email";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";
import { signInWithGitHub } from "./actions";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: PageProps<"/signin">) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(typeof params.callbackUrl === "string" ? params.callbackUrl : "/");
  if (await currentUser()) redirect(callbackUrl);
  // No provider and no dev mailbox: a link would never arrive, so the form is not offered.
  const byEmail = canSendEmail();
  const github = githubEnabled();
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-2 text-2xl font-semibold">Sign in to Portico</h1>
      {byEmail ? (
        <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">
          We will email you a link that signs you in. It works once, for 10 minutes.
        </p>
      ) : (
        <p
          className="mb-6 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
          data-testid="no-email-notice"
        >
          {noEmailSignIn({ github })}
        </p>
      )}
      {byEmail || github ? (
        <Card className="space-y-6">
          {byEmail ? <SignInForm callbackUrl={callbackUrl} /> : null}
          {github ? (
            <form action={signInWithGitHub}>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <Button type="submit" variant="secondary" className="w-full">
                Continue with GitHub
              </Button>
            </form>
          ) : null}
        </Card>
      ) : null}
      {devMailboxAnswers(await headers()) ? (
        <p className="mt-6 text-sm text-zinc-600 dark:text-zinc-400">
          Running locally? Links land in the{" "}
          <Link href="/dev/mailbox" className="text-indigo-600 dark:text-indigo-400 underline">
            dev mailbox
          </Link>
          . Demo accounts: consumer@portico.dev, owner@portico.dev, admin@portico.dev.
        </p>
      ) : null}
    </div>
  );
}
