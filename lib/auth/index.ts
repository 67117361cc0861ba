import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { type DefaultSession } from "next-auth";
import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import { eq } from "drizzle-orm";
import { cache } from "react";
import { db } from "@/db/client";
import { accounts, sessions, users, verificationTokens, type UserRole } from "@/db/schema";
import { env } from "@/lib/env";
import { enqueueEmail } from "@/lib/mail/enqueue-email";
import { SIGN_IN_LINK_MINUTES, rebaseLink } from "./links";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: UserRole; disabled: boolean } & DefaultSession["user"];
  }
  interface User {
    role?: UserRole;
    disabledAt?: Date | null;
  }
}

function providers(): Provider[] {
  const list: Provider[] = [
    {
      id: "email",
      type: "email",
      name: "Email",
      from: env.emailFrom,
      maxAge: SIGN_IN_LINK_MINUTES * 60,
      // Auth.js stores only a hash of the token; the link goes through the job queue like every email.
      async sendVerificationRequest({ identifier, url }) {
        const link = rebaseLink(url, env.baseUrl);
        await enqueueEmail(db, {
          to: identifier,
          template: "sign-in",
          props: { url: link, host: new URL(env.baseUrl).host, expiresInMinutes: SIGN_IN_LINK_MINUTES },
        });
      },
    },
  ];
  if (env.github) {
    list.push(GitHub({ clientId: env.github.clientId, clientSecret: env.github.clientSecret }));
  }
  return list;
}

const nextAuth = NextAuth(() => ({
  adapter: DrizzleAdapter(db, {
    usersTable: users,
    accountsTable: accounts,
    sessionsTable: sessions,
    verificationTokensTable: verificationTokens,
  }),
  session: { strategy: "database", maxAge: 30 * 24 * 60 * 60 },
  secret: env.AUTH_SECRET,
  // Links come from the configured base URL (see rebaseLink); the Host header is only used for routing.
  trustHost: true,
  providers: providers(),
  pages: { signIn: "/signin", verifyRequest: "/signin/check-email", error: "/signin/error" },
  logger: {
    // A used or expired sign-in link is a normal event with its own page, not a server error.
    error(error) {
      if ((error as { type?: string }).type === "Verification") return;
      console.error(error);
    },
  },
  callbacks: {
    // A disabled user gets no sign-in link and no session (their sessions are deleted on disable).
    async signIn({ user }) {
      if (!user.email) return true;
      const [row] = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.email, user.email.toLowerCase()));
      return !row?.disabledAt;
    },
    session({ session, user }) {
      session.user.id = user.id;
      session.user.role = (user as { role?: UserRole }).role ?? "consumer";
      session.user.disabled = Boolean(user.disabledAt);
      return session;
    },
  },
}));

export const { handlers, signIn, signOut } = nextAuth;
/** One session lookup per request, however many components ask. */
export const auth = cache(nextAuth.auth);
export const githubEnabled = () => env.github !== null;
