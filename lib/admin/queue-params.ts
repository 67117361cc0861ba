import { z } from "zod";
import { requestStatus } from "@/db/schema";
import { noNul } from "@/lib/validation";

export const QUEUE_COLUMNS = ["requester", "status", "app", "products", "plan", "requestedFor", "reason", "createdAt"] as const;
export type QueueColumn = (typeof QUEUE_COLUMNS)[number];
export const SORTABLE = ["createdAt", "requester", "status", "plan", "app", "requestedFor"] as const;
export type QueueSort = (typeof SORTABLE)[number];
export const PAGE_SIZES = [10, 25, 50, 100] as const;

// A NUL, which PostgreSQL text cannot hold, is a bad value like any other: dropped.
const optionalText = z
  .string()
  .trim()
  .max(200)
  .refine(noNul)
  .optional()
  .catch(undefined)
  .transform((v) => v || undefined);

// The whole view lives in the URL so it can be shared and survives reload. Bad values fall back to
// defaults instead of failing: a URL is user input.
export const queueParamsSchema = z.object({
  status: z.enum([...requestStatus.enumValues, "all"]).catch("pending").default("pending"),
  plan: z.uuid().optional().catch(undefined),
  product: z.uuid().optional().catch(undefined),
  requester: optionalText,
  q: optionalText,
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  sort: z.enum(SORTABLE).catch("createdAt").default("createdAt"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  // Keyset paging: the page after (or before) a row, named by its sort key and id (queue-cursor.ts).
  after: z.string().max(600).optional().catch(undefined),
  before: z.string().max(600).optional().catch(undefined),
  size: z.coerce
    .number()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .catch(25)
    .default(25),
  open: z.uuid().optional().catch(undefined),
});

export type QueueParams = z.output<typeof queueParamsSchema>;

// Parsed once, not for each link: the queue builds one per row, and parsing them was 1.8 % of the
// server's busy time serving pages of 100 rows (--cpu-prof).
const QUEUE_DEFAULTS: Readonly<QueueParams> = Object.freeze(queueParamsSchema.parse({}));

export function parseQueueParams(raw: Record<string, string | string[] | undefined>): QueueParams {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== "") flat[k] = value;
  }
  return queueParamsSchema.parse(flat);
}

/**
 * The URL for a view, omitting defaults so links stay short. Any change but a cursor or the open
 * request starts again from the first page (a cursor belongs to one sort and one set of filters).
 */
export function queueHref(params: QueueParams, change: Partial<QueueParams> = {}) {
  const keepsPosition = Object.keys(change).every((k) => k === "open" || k === "after" || k === "before");
  const next = { ...params, ...(keepsPosition ? {} : { after: undefined, before: undefined }), ...change };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined || v === null || v === "") continue;
    if (QUEUE_DEFAULTS[k as keyof QueueParams] === v) continue;
    search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `/admin/requests?${s}` : "/admin/requests";
}
