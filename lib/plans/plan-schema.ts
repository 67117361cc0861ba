import { z } from "zod";
import { SINGLE_LINE_MESSAGE, isPlainText, isSingleLine } from "@/lib/validation";
import type { RequestField } from "@/db/schema";

// One schema for the plan form (react-hook-form + zodResolver) and the server action. The form holds
// what inputs hold (strings, booleans, the field list as an array); the action receives FormData, so
// the field list arrives as JSON text and booleans as "true"/"false". Both read the same way here.

export const KEY_LIFETIME_PRESETS = [30, 90, 180, 365] as const;
export const DEFAULT_KEY_LIFETIME_DAYS = 180;
export const DEFAULT_CLAIM_LINK_HOURS = 72;
export const MAX_KEY_LIFETIME_DAYS = 3650;
export const MAX_CLAIM_LINK_HOURS = 720;
export const MAX_REQUEST_FIELDS = 20;
export const MAX_OPTIONS = 50;
export const DEFAULT_HANDOFF_TIMEOUT_HOURS = 72;
export const MAX_HANDOFF_TIMEOUT_HOURS = 720;
export const DEFAULT_REMINDER_DAYS = [30, 7, 1, 0];
export const MAX_REMINDER_DAY = 365;
export const MAX_REMINDERS = 6;
export const DEFAULT_MAX_GRACE_HOURS = 168;
export const MAX_GRACE_HOURS = 720;
export const APPROVAL_MODES = ["manual", "automatic", "external"] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];


const checkbox = z
  .union([z.boolean(), z.literal("true"), z.literal("false"), z.literal("on")], { error: "Tick the box or leave it empty." })
  .optional()
  .transform((v) => v === true || v === "true" || v === "on");

/** A whole number typed into a box: digits only (no "1e3", "0x10" or "1.5"), within bounds. */
type Bounds = { what: string; min: number; max: number; range?: boolean };
function wholeNumber(opts: Bounds) {
  return numberInput({ ...opts, optional: false }).transform((n) => n ?? 0);
}
function optionalWholeNumber(opts: Bounds) {
  return numberInput({ ...opts, optional: true });
}
function numberInput(opts: Bounds & { optional: boolean }) {
  return z
    .union([z.number(), z.string()], { error: `Enter ${opts.what} as a whole number.` })
    .optional()
    .transform((v, ctx): number | null => {
      const s = typeof v === "number" ? String(v) : (v ?? "").trim();
      if (s === "") {
        if (opts.optional) return null;
        ctx.addIssue({ code: "custom", message: `Enter ${opts.what}.` });
        return z.NEVER;
      }
      if (!/^-?\d+$/.test(s)) {
        ctx.addIssue({ code: "custom", message: `Enter ${opts.what} as a whole number.` });
        return z.NEVER;
      }
      // Leading zeros change nothing ("007" is 7). Whole, but longer than any bound here: past the
      // bound it points to, said as for any number there, not as "not a whole number".
      const digits = s.replace(/^(-?)0+(?=\d)/, "$1");
      const n = /^-?\d{1,12}$/.test(digits) ? Number(digits) : digits.startsWith("-") ? -Infinity : Infinity;
      if (opts.range && (n < opts.min || n > opts.max)) {
        ctx.addIssue({ code: "custom", message: `${capitalise(opts.what)} must be from ${opts.min} to ${opts.max}.` });
        return z.NEVER;
      }
      if (n < opts.min) {
        ctx.addIssue({ code: "custom", message: opts.min === 1 ? `${capitalise(opts.what)} must be a positive number (at least 1).` : `${capitalise(opts.what)} must be at least ${opts.min}.` });
        return z.NEVER;
      }
      if (n > opts.max) {
        ctx.addIssue({ code: "custom", message: `${capitalise(opts.what)} can be at most ${opts.max.toLocaleString("en")}.` });
        return z.NEVER;
      }
      return n;
    });
}
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A request field's key, made from its label: "Describe your use case" → "describeYourUseCase". */
export function keyFromLabel(label: string): string {
  const words = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join("");
}

const requestFieldSchema = z
  .object({
    label: z
      .string({ error: "Give the field a label." })
      .trim()
      .min(1, "Give the field a label.")
      .max(100, "Keep the label under 100 characters.")
      .refine(isSingleLine, SINGLE_LINE_MESSAGE),
    type: z.enum(["text", "textarea", "select"], { error: "Choose text, long text or a list of options." }),
    required: checkbox,
    // One option per line in the form; an array from a stored plan reads the same.
    options: z
      .union([z.string(), z.array(z.string())], { error: "Write one option per line." })
      .optional()
      .transform((v) => [...new Set((Array.isArray(v) ? v : (v ?? "").split(/\r?\n/)).map((o) => o.trim()).filter(Boolean))]),
  })
  .superRefine((f, ctx) => {
    if (f.type !== "select") return;
    if (f.options.length === 0) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "A list field needs at least one option: write one per line." });
    } else if (f.options.length > MAX_OPTIONS) {
      ctx.addIssue({ code: "custom", path: ["options"], message: `Offer at most ${MAX_OPTIONS} options.` });
    } else if (f.options.some((o) => o.length > 100 || !isSingleLine(o))) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "Keep each option to one line under 100 characters." });
    }
  });

const requestFieldsSchema = z.preprocess(
  (v) => {
    if (typeof v !== "string") return v ?? [];
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  },
  z
    .array(requestFieldSchema, { error: "The request fields could not be read. Reload the page and try again." })
    .max(MAX_REQUEST_FIELDS, `Ask at most ${MAX_REQUEST_FIELDS} questions.`)
    .transform((fields, ctx): RequestField[] => {
      const out = fields.map((f, i) => ({
        key: keyFromLabel(f.label) || `field${i + 1}`,
        label: f.label,
        type: f.type,
        required: f.required,
        ...(f.type === "select" ? { options: f.options } : {}),
      }));
      const seen = new Map<string, number>();
      out.forEach((f, i) => {
        const first = seen.get(f.key);
        if (first !== undefined) {
          ctx.addIssue({ code: "custom", path: [i, "label"], message: `This label reads the same as field ${first + 1}'s; give each field its own label.` });
        } else seen.set(f.key, i);
      });
      return out;
    }),
);

/**
 * Where the consumer is sent after submitting (Tyk's "Redirect Key Request"). The form and scheme
 * are checked here, in the browser too; whether plain http is allowed depends on the server's
 * PORTICO_WEBHOOK_ALLOW_HTTP, so lib/plans/plan-checks.ts checks that.
 */
const redirectUrlSchema = z
  .string({ error: "Enter the redirect address as text." })
  .trim()
  .max(2000, "Use a URL of at most 2,000 characters.")
  .optional()
  .transform((raw, ctx): string | null => {
    if (!raw) return null;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL such as https://billing.example.com/checkout." });
      return z.NEVER;
    }
    const problem =
      url.protocol !== "https:" && url.protocol !== "http:"
        ? "Use an https:// URL."
        : url.username || url.password
          ? "Leave credentials out of the URL."
          : url.hash
            ? "Remove the #fragment: Portico adds its own query parameters to the URL."
            : null;
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return url.href;
  });

/**
 * The reminder schedule: days before expiry, typed "30, 7, 1, 0" in the form or sent as a list.
 * Whole days 0–365, duplicates dropped, largest first, at most six; empty = no reminders; left out
 * = the default schedule.
 */
const reminderDaysSchema = z
  .union([z.string(), z.array(z.union([z.number(), z.string()]))], { error: "Write the reminder days as numbers separated by commas, such as 30, 7, 1, 0." })
  .optional()
  .transform((v, ctx): number[] => {
    if (v === undefined) return [...DEFAULT_REMINDER_DAYS];
    const parts = (Array.isArray(v) ? v.map(String) : v.split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean);
    const bad = parts.find((s) => !/^\d{1,3}$/.test(s) || Number(s) > MAX_REMINDER_DAY);
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `“${bad.slice(0, 20)}” is not a day count: write whole days before expiry from 0 (the expiry day) to ${MAX_REMINDER_DAY}, separated by commas, such as 30, 7, 1, 0.`,
      });
      return z.NEVER;
    }
    const days = [...new Set(parts.map(Number))].sort((a, b) => b - a);
    if (days.length > MAX_REMINDERS) {
      ctx.addIssue({ code: "custom", message: `Send at most ${MAX_REMINDERS} reminders per key: remove ${days.length - MAX_REMINDERS} of the days.` });
      return z.NEVER;
    }
    return days;
  });

const customDays = wholeNumber({ what: "the key lifetime in days", min: 1, max: MAX_KEY_LIFETIME_DAYS });

export const planSchema = z
  .object({
    name: z
      .string({ error: "Give the plan a name." })
      .trim()
      .min(1, "Give the plan a name.")
      .max(80, "Keep the name under 80 characters.")
      .refine(isSingleLine, SINGLE_LINE_MESSAGE),
    description: z
      .string({ error: "Describe the plan in plain text." })
      .trim()
      .max(1000, "Keep the description under 1000 characters.")
      .refine(isPlainText, "Use plain text only.")
      .optional()
      .transform((s) => s ?? ""),
    // The form sends `approval` (Manual / Automatic / External); other callers (the REST API, older
    // scripts) send `autoApprove` and `handoffEndpointId`, which read the same way (see below).
    approval: z.enum(APPROVAL_MODES, { error: "Choose how requests are approved: manual, automatic or external." }).optional(),
    autoApprove: checkbox,
    handoffEndpointId: z
      .string({ error: "Choose a webhook endpoint from the list." })
      .trim()
      .max(100, "Choose a webhook endpoint from the list.")
      .nullish()
      .transform((v) => v || null)
      // endpoint ids are UUIDs: anything else (a NUL byte the database would refuse) is not one
      .pipe(z.guid("Choose a webhook endpoint from the list.").nullable()),
    handoffTimeoutHours: optionalWholeNumber({ what: "the hand-off timeout in hours", min: 1, max: MAX_HANDOFF_TIMEOUT_HOURS, range: true }).transform(
      (n) => n ?? DEFAULT_HANDOFF_TIMEOUT_HOURS,
    ),
    redirectUrl: redirectUrlSchema,
    approvalsRequired: wholeNumber({ what: "approvals required", min: 1, max: 5, range: true }),
    keyLifetime: z.enum(["30", "90", "180", "365", "custom", "none"], { error: "Choose how long keys last." }),
    customKeyLifetimeDays: z.union([z.string(), z.number()]).optional(),
    claimLinkLifetimeHours: wholeNumber({ what: "the claim link lifetime in hours", min: 1, max: MAX_CLAIM_LINK_HOURS }),
    rateLimitPerMinute: optionalWholeNumber({ what: "the rate limit per minute", min: 1, max: 2_000_000_000 }),
    quotaPerMonth: optionalWholeNumber({ what: "the monthly quota", min: 1, max: 2_000_000_000 }),
    // Who enforces the limits: Portico at verify (429), or the API's gateway (verify only counts). Absent: Portico.
    enforceLimits: z
      .preprocess(
        (v) => (v === true ? "portico" : v === false ? "gateway" : v),
        z.enum(["portico", "gateway"], { error: "Choose who enforces the limits: Portico or the API's gateway." }).optional(),
      )
      .transform((v) => v !== "gateway"),
    reminderDays: reminderDaysSchema,
    maxGraceHours: optionalWholeNumber({ what: "the longest grace after a roll (hours)", min: 0, max: MAX_GRACE_HOURS, range: true }).transform(
      (n) => n ?? DEFAULT_MAX_GRACE_HOURS,
    ),
    reviewRequired: checkbox,
    reviewCommentRequired: checkbox,
    requestFields: requestFieldsSchema,
  })
  // Checked even while other fields are wrong (`when`), so the form reports every mistake at once.
  .refine((p) => p.keyLifetime !== "custom" || customDays.safeParse(p.customKeyLifetimeDays).success, {
    path: ["customKeyLifetimeDays"],
    error: (issue) => {
      const custom = customDays.safeParse((issue.input as { customKeyLifetimeDays?: unknown } | undefined)?.customKeyLifetimeDays);
      return custom.success ? undefined : custom.error.issues[0]?.message;
    },
    when: (payload) => (payload.value as { keyLifetime?: unknown } | null)?.keyLifetime === "custom",
  })
  .transform(({ keyLifetime, customKeyLifetimeDays, approval, autoApprove, handoffEndpointId, ...plan }, ctx) => {
    // An explicit choice wins; without one, an endpoint means External. A ticked autoApprove turns
    // Manual into Automatic, and cannot be combined with External: the third party decides those.
    let mode: ApprovalMode = approval ?? (handoffEndpointId ? "external" : "manual");
    if (autoApprove && mode === "manual") mode = "automatic";
    if (autoApprove && mode === "external") {
      ctx.addIssue({ code: "custom", path: ["approval"], message: "External and automatic approval exclude each other: the third party decides, or the plan approves. Choose one." });
      return z.NEVER;
    }
    if (mode === "external" && !handoffEndpointId) {
      ctx.addIssue({ code: "custom", path: ["handoffEndpointId"], message: "Choose the webhook endpoint whose third party decides these requests." });
      return z.NEVER;
    }
    if (mode === "automatic" && plan.redirectUrl) {
      ctx.addIssue({
        code: "custom",
        path: ["redirectUrl"],
        message: "A plan that approves automatically has nothing for a third party to confirm: leave the redirect empty, or choose manual or external approval.",
      });
      return z.NEVER;
    }
    let keyLifetimeDays: number | null;
    if (keyLifetime === "none") keyLifetimeDays = null;
    else if (keyLifetime !== "custom") keyLifetimeDays = Number(keyLifetime);
    else {
      const custom = customDays.safeParse(customKeyLifetimeDays);
      if (!custom.success) {
        for (const issue of custom.error.issues) ctx.addIssue({ code: "custom", path: ["customKeyLifetimeDays"], message: issue.message });
        return z.NEVER;
      }
      keyLifetimeDays = custom.data;
    }
    // A comment can only be required on a review that happens.
    return {
      ...plan,
      autoApprove: mode === "automatic",
      handoffEndpointId: mode === "external" ? handoffEndpointId : null,
      keyLifetimeDays,
      reviewCommentRequired: plan.reviewRequired && plan.reviewCommentRequired,
    };
  });

export type PlanFields = z.output<typeof planSchema>;

/** What the form holds: one entry per input. */
export type PlanFormValues = {
  name: string;
  description: string;
  approval: ApprovalMode;
  handoffEndpointId: string;
  handoffTimeoutHours: string;
  redirectUrl: string;
  approvalsRequired: string;
  keyLifetime: "30" | "90" | "180" | "365" | "custom" | "none";
  customKeyLifetimeDays: string;
  claimLinkLifetimeHours: string;
  rateLimitPerMinute: string;
  quotaPerMonth: string;
  enforceLimits: "portico" | "gateway";
  reminderDays: string;
  maxGraceHours: string;
  reviewRequired: boolean;
  reviewCommentRequired: boolean;
  requestFields: { label: string; type: "text" | "textarea" | "select"; required: boolean; options: string }[];
};

export const planIdSchema = z.uuid({ error: "This plan was not found. It may have been deleted." });

/** A stored plan (or the defaults for a new one) as form values. */
export function planFormValues(plan?: {
  name: string;
  description: string;
  autoApprove: boolean;
  handoffEndpointId: string | null;
  handoffTimeoutHours: number;
  redirectUrl: string | null;
  approvalsRequired: number;
  keyLifetimeDays: number | null;
  claimLinkLifetimeHours: number;
  rateLimitPerMinute: number | null;
  quotaPerMonth: number | null;
  enforceLimits: boolean;
  reminderDays: number[];
  maxGraceHours: number;
  reviewRequired: boolean;
  reviewCommentRequired: boolean;
  requestFields: RequestField[];
}): PlanFormValues {
  const days = plan ? plan.keyLifetimeDays : DEFAULT_KEY_LIFETIME_DAYS;
  const preset = days === null ? "none" : (KEY_LIFETIME_PRESETS as readonly number[]).includes(days) ? (String(days) as PlanFormValues["keyLifetime"]) : "custom";
  return {
    name: plan?.name ?? "",
    description: plan?.description ?? "",
    approval: plan?.handoffEndpointId ? "external" : plan?.autoApprove ? "automatic" : "manual",
    handoffEndpointId: plan?.handoffEndpointId ?? "",
    handoffTimeoutHours: String(plan?.handoffTimeoutHours ?? DEFAULT_HANDOFF_TIMEOUT_HOURS),
    redirectUrl: plan?.redirectUrl ?? "",
    approvalsRequired: String(plan?.approvalsRequired ?? 1),
    keyLifetime: preset,
    customKeyLifetimeDays: preset === "custom" && days !== null ? String(days) : "",
    claimLinkLifetimeHours: String(plan?.claimLinkLifetimeHours ?? DEFAULT_CLAIM_LINK_HOURS),
    rateLimitPerMinute: plan?.rateLimitPerMinute ? String(plan.rateLimitPerMinute) : "",
    quotaPerMonth: plan?.quotaPerMonth ? String(plan.quotaPerMonth) : "",
    enforceLimits: plan?.enforceLimits === false ? "gateway" : "portico",
    reminderDays: (plan?.reminderDays ?? DEFAULT_REMINDER_DAYS).join(", "),
    maxGraceHours: String(plan?.maxGraceHours ?? DEFAULT_MAX_GRACE_HOURS),
    reviewRequired: plan?.reviewRequired ?? false,
    reviewCommentRequired: plan?.reviewCommentRequired ?? false,
    requestFields: (plan?.requestFields ?? []).map((f) => ({ label: f.label, type: f.type, required: f.required, options: (f.options ?? []).join("\n") })),
  };
}
