import type { Metadata } from "next";
import { headers } from "next/headers";
import { Link } from "@/components/ui/link";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";

export const metadata: Metadata = { title: "Check your email" };

export default async function CheckEmailPage({ searchParams }: PageProps<"/signin/check-email">) {
  const { email } = await searchParams;
  const address = typeof email === "string" ? email.slice(0, 254) : null;
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
