import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { setEnvDefaults } from "@auth/core";
import type { Adapter } from "@auth/core/adapters";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { type DefaultSession, type NextAuthConfig } from "next-auth";
import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import { eq, sql } from "drizzle-orm";
import { headers } from "next/headers";
import { cache } from "react";
import { db } from "@/db/client";
import { accounts, secondFactors, securitySettings, sessions, users, verificationTokens, type UserRole } from "@/db/schema";
import { databaseUnavailableIn } from "@/db/unavailable";
import { describeError } from "@/lib/describe-error";
import { env } from "@/lib/env";
import { canSendEmail } from "@/lib/mail/can-send-email";
import { clientIp } from "@/lib/net/client-ip";
import { authWithSignInLimits } from "./auth-with-sign-in-limits";
import { InvalidEmailAddress } from "./email-address";
import { emailProvider } from "./email-provider";
import { safeCallbackPath } from "./links";
import { sessionPayload } from "./session-payload";
import type { SecondFactorFacts } from "@/lib/second-factor/step-up";
import { signInLimitReached } from "./sign-in-limits";

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
  const list: Provider[] = [];
  // Without a way to deliver (lib/mail/can-send-email.ts) there is no email sign-in at all: the page
  // offers no form, and a POST straight to /api/auth/signin/email finds no provider instead of
  // storing a token and a message that would never leave the outbox.
  if (canSendEmail()) {
    list.push(
      emailProvider(db, {
        from: env.emailFrom,
        baseUrl: env.baseUrl,
        limits: env.signInLimits,
        trustedProxies: env.trustedProxies,
      }),
    );
  }
  if (env.github) {
    list.push(GitHub({ clientId: env.github.clientId, clientSecret: env.github.clientSecret }));
  }
  return list;
}

const basePath = () => `${new URL(env.baseUrl).pathname.replace(/\/$/, "")}/api/auth`;

let adapter: Adapter | undefined;

/**
 * The adapter, built once. Auth.js asks for its configuration on every auth() call (NextAuth is
 * given a function), and building the Drizzle adapter defines its tables again each time; nothing
 * in it is per request (the session read's facts go through sessionReads).
 */
function sessionAdapter(): Adapter {
  adapter ??= noticingUnavailable(
    withSecondFactorRead(
      DrizzleAdapter(db, {
        usersTable: users,
        accountsTable: accounts,
        sessionsTable: sessions,
        verificationTokensTable: verificationTokens,
      }),
    ),
  );
  return adapter;
}

function authConfig(): NextAuthConfig {
  // Auth.js's server-side signIn, signOut and auth() build their URLs from process.env.AUTH_URL and
  // fall back to the Host header without it: give them the same default lib/env.ts uses.
  process.env.AUTH_URL ||= env.baseUrl;
  return {
    adapter: sessionAdapter(),
    session: { strategy: "database", maxAge: 30 * 24 * 60 * 60 },
    secret: env.AUTH_SECRET,
    basePath: basePath(),
    // Requests reach Auth.js on AUTH_URL's origin (authRoute below, createActionURL in next-auth's
    // server actions), so the Host header never names an origin.
    trustHost: true,
    providers: providers(),
    pages: { signIn: "/signin", verifyRequest: "/signin/check-email", error: "/signin/error" },
    logger: {
      // A used or expired sign-in link is a normal event with its own page, not a server error.
      error(error) {
        if ((error as { type?: string }).type === "Verification") return;
        // A direct POST with an address the sign-in form would refuse: the client's mistake.
        if (error instanceof InvalidEmailAddress) {
          console.info(`sign-in link not sent: ${error.message}`);
          return;
        }
        // By code, never the whole error: an adapter error carries drizzle's parameters (addresses).
        console.error(`auth error: ${describeError(error)}`);
      },
    },
    callbacks: {
      // A disabled user gets no session (their sessions are deleted on disable). Asking for a link
      // passes here and is answered like any other address; sendSignInLink sends them nothing.
      async signIn({ user, email }) {
        if (email?.verificationRequest || !user.email) return true;
        const [row] = await db
          .select({ disabledAt: users.disabledAt, kind: users.kind })
          .from(users)
          .where(eq(users.email, user.email.toLowerCase()));
        // an API access key's service user is nobody's to sign in as
        return !row?.disabledAt && row?.kind !== "service";
      },
      session: ({ session, user }) => sessionPayload({ session, user }),
      // Only paths on this site, always on AUTH_URL's origin: never the host a request came in on.
      redirect({ url }) {
        const origin = new URL(env.baseUrl).origin;
        const local = /^[a-z][a-z0-9+.-]*:/i.test(url) ? sameOriginPath(url, origin) : url;
        return `${origin}${safeCallbackPath(local)}`;
      },
    },
  };
}

function sameOriginPath(url: string, origin: string) {
  try {
    const parsed = new URL(url);
    return parsed.origin === origin ? `${parsed.pathname}${parsed.search}${parsed.hash}` : "/";
  } catch {
    return "/";
  }
}

/** What the session lookup read beside the session, for the auth() call it ran in. */
type SessionRead = {
  /** The adapter could not reach the database. */
  unavailable: Error | null;
  /** The second-factor facts of the session named by `token` (lib/second-factor/step-up.ts). */
  secondFactor?: SecondFactorFacts & { token: string };
};

/** Where auth() learns what its session lookup saw (see SessionRead). */
const sessionReads = new AsyncLocalStorage<SessionRead>();

/**
 * The Drizzle adapter's session lookup, with the person's authenticator and the policy read in the
 * same query: every signed-in page needs them (lib/auth/guards.ts currentUser), and a second query
 * after the session's would be another round trip before the page could start.
 */
function withSecondFactorRead(adapter: Adapter): Adapter {
  return {
    ...adapter,
    async getSessionAndUser(sessionToken) {
      const [row] = await db
        .select({
          session: sessions,
          user: users,
          enrolled: sql<boolean>`exists (select 1 from ${secondFactors} where ${secondFactors.userId} = ${users.id} and ${secondFactors.confirmedAt} is not null)`,
          policy: sql<string | null>`(select ${securitySettings.secondFactorPolicy}::text from ${securitySettings} where ${securitySettings.id})`,
        })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.sessionToken, sessionToken));
      if (!row) return null;
      const read = sessionReads.getStore();
      if (read) read.secondFactor = { token: sessionToken, enrolled: row.enrolled, policy: row.policy, steppedUpAt: row.session.steppedUpAt };
      return { session: row.session, user: row.user };
    },
  };
}

/**
 * Auth.js catches an adapter error in its session lookup, logs it and answers "no session": with
 * the database away, a signed-in person would be shown as signed out (and sent to sign in). The
 * adapter notes the fault here so auth() can throw it instead.
 */
function noticingUnavailable(adapter: Adapter): Adapter {
  return new Proxy(adapter, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          const store = sessionReads.getStore();
          const down = databaseUnavailableIn(error);
          if (store && down) store.unavailable ??= down;
          throw error;
        }
      };
    },
  });
}

const nextAuth = NextAuth(authConfig);

/**
 * The session of this request, or null when signed out, with the second-factor facts read with it
 * (absent when Auth.js did not look the session up in the database). Throws
 * DatabaseUnavailableError when the session could not be looked up (pages show "temporarily
 * unavailable", never "signed out").
 */
async function sessionOrUnavailable() {
  const store: SessionRead = { unavailable: null };
  const session = await sessionReads.run(store, () => nextAuth.auth());
  if (store.unavailable) throw store.unavailable;
  return { session, secondFactor: store.secondFactor ?? null };
}

/**
 * The /api/auth/* route handler, on AUTH_URL's origin. next-auth's own `handlers` re-wrap the
 * request in a NextRequest, whose URL Next normalises (next/dist/server/web/next-url.js turns
 * 127.0.0.1 and [::1] into "localhost"), so with AUTH_URL=http://127.0.0.1:3000 every redirect and
 * /api/auth/providers named http://localhost:3000, where the session cookie does not exist. Auth.js
 * core is called directly with a plain Request instead.
 */
export async function authRoute(request: Request) {
  const config = authConfig();
  config.secret ??= env.AUTH_SECRET;
  setEnvDefaults(process.env, config, true);
  const seen = new URL(request.url);
  const url = new URL(`${seen.pathname}${seen.search}`, new URL(env.baseUrl).origin);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return authWithSignInLimits(
    new Request(url, {
      method: request.method,
      headers: request.headers,
      body: hasBody ? request.body : null,
      duplex: "half",
    } as RequestInit),
    config,
    { db, limits: env.signInLimits, trustedProxies: env.trustedProxies },
  );
}

/**
 * Asks for a sign-in link from a server action. Over the limits Auth.js is not called at all (it
 * would store a token for a link never sent); the caller answers as for a link sent.
 */
export async function signInWithEmail(email: string, redirectTo: string) {
  const ip = clientIp(await headers(), env.trustedProxies);
  if (await signInLimitReached(db, { address: email, ip }, env.signInLimits)) {
    console.info("sign-in link not sent: limited");
    return;
  }
  await nextAuth.signIn("email", { email, redirectTo, redirect: false });
}

export const { signIn, signOut } = nextAuth;
/** One session lookup per request, however many components ask. */
export const authWithSecondFactor = cache(sessionOrUnavailable);
/** The session of this request, or null when signed out (see sessionOrUnavailable). */
export const auth = async () => (await authWithSecondFactor()).session;
export const githubEnabled = () => env.github !== null;
