import type { Metadata } from "next";
import { headers } from "next/headers";
import { Link } from "@/components/ui/link";
import { githubEnabled } from "@/lib/auth";
import { canSendEmail, noEmailSignIn } from "@/lib/mail/can-send-email";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";

export function generateMetadata(): Metadata {
  return { title: canSendEmail() ? "Check your email" : "No sign-in email was sent" };
}

export default async function CheckEmailPage({ searchParams }: PageProps<"/signin/check-email">) {
  const { email } = await searchParams;
  const address = typeof email === "string" ? email.slice(0, 254) : null;
  if (!canSendEmail()) {
    return (
      <div className="mx-auto max-w-md text-center">
        <h1 className="text-2xl font-semibold">No sign-in email was sent</h1>
        <p className="mt-3 text-zinc-600 dark:text-zinc-400">{noEmailSignIn({ github: githubEnabled() })}</p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-md text-center">
      <h1 className="text-2xl font-semibold">Check your email</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">
        We sent a sign-in link{address ? ` to ${address}` : ""}. It works once and expires in 10 minutes.
      </p>
      {devMailboxAnswers(await headers()) ? (
        <p className="mt-4">
          <Link href="/dev/mailbox" className="text-indigo-600 dark:text-indigo-400 underline">
            Open the dev mailbox
          </Link>
        </p>
      ) : null}
      <p className="mt-6 text-sm text-zinc-500 dark:text-zinc-400">
        No email? Check spam, or{" "}
        <Link href="/signin" className="underline">
          ask for a new link
        </Link>
        .
      </p>
    </div>
  );
}
