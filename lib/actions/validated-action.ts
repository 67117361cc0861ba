import "server-only";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { withAuditContext } from "@/lib/audit/context";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/net/client-ip";
import type { z } from "zod";
import type { UserRole } from "@/db/schema";
import { currentUser, SECOND_FACTOR_SETUP_PATH, type SessionUser } from "@/lib/auth/guards";
import { stepUpSatisfied } from "@/lib/second-factor/step-up";
import { describeError } from "@/lib/describe-error";
import { trackWrites } from "@/db/deadline";
import { databaseUnavailableIn } from "@/db/unavailable";
import { DomainError } from "@/lib/errors";
import { type ActionResult, fieldErrorsOf, formValues } from "./action-result";

type Handler<S extends z.ZodType, U> = (
  data: z.output<S>,
  user: U,
  /** Every submitted field, for forms with dynamic keys (a plan's request fields). */
  raw: Record<string, unknown>,
) => Promise<ActionResult>;

/**
 * The one wrapper every server action goes through: session → role → zod → handler, returning
 * `{ ok, message, fieldErrors }`. Expected refusals (DomainError) become messages; anything else is
 * logged and answered with a generic message, never a stack trace.
 */
type Options = {
  roles?: readonly UserRole[];
  /**
   * Refusals the schema cannot know (a plan's own questions), added when the schema refuses too,
   * so one answer names every field to fix. The handler still checks them itself.
   */
  moreFieldErrors?: (raw: Record<string, unknown>, user: SessionUser) => Promise<Record<string, string>>;
  /**
   * A privileged action (deciding, revoking, roles, API access keys, webhook secrets, the policy):
   * a person with an authenticator must have entered a code in this session within 15 minutes.
   * Otherwise the answer is `stepUp: true` with nothing done; the form asks for a code
   * (components/step-up) and sends the same data again.
   */
  stepUp?: boolean;
  /** Allowed to a person the policy covers who has no authenticator yet (the setup itself). */
  beforeSecondFactor?: boolean;
};

export function validatedActionWithUser<S extends z.ZodType>(schema: S, handler: Handler<S, SessionUser>, options: Options = {}) {
  return run(schema, handler as Handler<S, SessionUser | null>, { ...options, anonymous: false });
}

/** The same wrapper for the few actions a signed-out visitor may use (adding to the cart). */
export function validatedAction<S extends z.ZodType>(schema: S, handler: Handler<S, SessionUser | null>) {
  return run(schema, handler, { anonymous: true });
}

function run<S extends z.ZodType>(
  schema: S,
  handler: Handler<S, SessionUser | null>,
  options: Options & { anonymous: boolean },
) {
  const act = async (formData: FormData, values: Record<string, string>): Promise<ActionResult> => {
    const user = await currentUser();
    if (!user && !options.anonymous) {
      return { ok: false, message: "Your session has ended. Sign in again and retry.", values };
    }
    if (user?.secondFactor.mustEnrol && !options.beforeSecondFactor) {
      return {
        ok: false,
        message: "Set up an authenticator first: your role needs one before it can do anything else.",
        link: { href: SECOND_FACTOR_SETUP_PATH, label: "Set up an authenticator" },
        values,
      };
    }
    if (user && options.roles && !options.roles.includes(user.role)) {
      return { ok: false, message: "Your role does not allow this action.", values };
    }
    const raw = formInput(formData);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const more = user && options.moreFieldErrors ? await options.moreFieldErrors(raw, user) : {};
      return { ok: false, message: "Check the highlighted fields.", fieldErrors: { ...fieldErrorsOf(parsed.error), ...more }, values };
    }
    const steppedUpAt = options.stepUp && user?.secondFactor.enrolled ? user.secondFactor.steppedUpAt : null;
    if (options.stepUp && (!user || !stepUpSatisfied(user.secondFactor))) {
      return { ok: false, stepUp: true, message: STEP_UP_MESSAGE, values };
    }
    try {
      const ip = clientIp(await headers(), env.trustedProxies);
      return await withAuditContext({ ip, steppedUpAt }, () => handler(parsed.data, user, raw));
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof DomainError) {
        return { ok: false, message: error.message, fieldErrors: error.fieldErrors, link: error.link, values };
      }
      if (databaseUnavailableIn(error)) throw error;
      console.error(`server action failed: ${describeError(error)}`);
      return { ok: false, message: "Something went wrong on our side. Try again in a minute.", values };
    }
  };
  return async (_prev: ActionResult | null, formData: FormData): Promise<ActionResult> => {
    const values = formValues(formData);
    const writes = { wrote: false };
    try {
      return await trackWrites(writes, () => act(formData, values));
    } catch (error) {
      const down = databaseUnavailableIn(error);
      if (!down) throw error;
      console.error(`server action failed: ${describeError(down)}`);
      return { ok: false, message: unavailableMessage(down.outcomeUnknown || writes.wrote), values };
    }
  };
}

/**
 * The database did not answer. Nothing was changed unless a write may have reached it (a commit
 * or a lone write already sent: db/deadline.ts), and the message says which.
 */
export function unavailableMessage(mayHaveSaved: boolean) {
  return mayHaveSaved
    ? "The database stopped answering partway, so this change may or may not have been saved. Reload the page in a moment to check before you try again."
    : "Nothing was changed: the database is not answering right now. Try again in a moment.";
}

export const STEP_UP_MESSAGE = "Enter a code from your authenticator app to continue (asked at most every 15 minutes).";

/** FormData → plain object; repeated keys become arrays, files are dropped. */
export function formInput(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(formData.keys())) {
    if (key.startsWith("$ACTION")) continue;
    const all = formData.getAll(key).filter((v): v is string => typeof v === "string");
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}
