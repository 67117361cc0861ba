"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { githubEnabled, signIn, signInWithEmail, signOut } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/auth/links";
import { type ActionResult, fieldErrorsOf } from "@/lib/actions/action-result";
import { canSendEmail, noEmailSignIn } from "@/lib/mail/can-send-email";
import { signInSchema } from "./schema";

export async function requestSignInLink(_prev: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const parsed = signInSchema.safeParse({
    email: formData.get("email"),
    callbackUrl: formData.get("callbackUrl") ?? undefined,
  });
  const email = typeof formData.get("email") === "string" ? String(formData.get("email")).slice(0, 300) : "";
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf(parsed.error), values: { email } };
  }
  // The page offers no form then; a post that comes anyway is not told to check its email.
  if (!canSendEmail()) return { ok: false, message: noEmailSignIn({ github: githubEnabled() }), values: { email } };
  try {
    await signInWithEmail(parsed.data.email.toLowerCase(), safeCallbackPath(parsed.data.callbackUrl));
  } catch (error) {
    // Disabled accounts and addresses over the sign-in limits are answered like every other
    // address (lib/auth/send-sign-in-link.ts): the page must not tell which addresses have accounts.
    if (error instanceof AuthError) {
      return { ok: false, message: "We could not send a sign-in link just now. Try again in a minute.", values: { email } };
    }
    throw error;
  }
  redirect(`/signin/check-email?email=${encodeURIComponent(parsed.data.email.toLowerCase())}`);
}

export async function signInWithGitHub(formData: FormData) {
  await signIn("github", { redirectTo: safeCallbackPath(String(formData.get("callbackUrl") ?? "/")) });
}

export async function signOutAction() {
  await signOut({ redirectTo: "/" });
}
