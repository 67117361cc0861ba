import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "Sign-in problem" };

const messages: Record<string, string> = {
  Verification: "This sign-in link has expired or was already used. Ask for a new one.",
  AccessDenied: "This account may not sign in. Contact the portal's admins.",
  Configuration: "Sign-in is not configured correctly on this server. Contact the portal's admins.",
};

export default async function SignInErrorPage({ searchParams }: PageProps<"/signin/error">) {
  const { error } = await searchParams;
  const message = (typeof error === "string" && messages[error]) || "Sign-in did not work. Try again.";
  return (
    <div className="mx-auto max-w-md text-center">
      <h1 className="text-2xl font-semibold">We could not sign you in</h1>
      <p className="mt-3 text-zinc-600 dark:text-zinc-400">{message}</p>
      <Button asChild className="mt-6">
        <Link href="/signin">Get a new sign-in link</Link>
      </Button>
    </div>
  );
}
