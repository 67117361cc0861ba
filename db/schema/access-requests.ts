import { sql } from "drizzle-orm";
import { type AnyPgColumn, foreignKey, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { apps } from "./apps";
import { type RequestField, plans } from "./plans";
import { products } from "./products";
import { users } from "./users";

export const requestStatus = pgEnum("request_status", [
  "pending",
  "approved",
  "available",
  "denied",
  "cancelled",
  "revoked",
  "expired",
  "completed",
]);
export type RequestStatus = (typeof requestStatus.enumValues)[number];

/** The plan as it was when the request was submitted: later plan edits never change a request. */
export type PlanSnapshot = {
  name: string;
  autoApprove: boolean;
  approvalsRequired: number;
  keyLifetimeDays: number | null;
  claimLinkLifetimeHours: number;
  rateLimitPerMinute: number | null;
  quotaPerMonth: number | null;
  /** false: the gateway enforces the limits (verify counts only). Absent on older requests: true. */
  enforceLimits?: boolean;
  /** The longest grace a roll may give the old key (hours). Absent on older requests: 168. */
  maxGraceHours?: number;
  /** Days before expiry when the requester is reminded. Absent on older requests: [30, 7, 1, 0]. */
  reminderDays?: number[];
  reviewRequired: boolean;
  reviewCommentRequired?: boolean;
  requestFields: RequestField[];
  /** External approval: the endpoint whose third party decides, and how long before people do. */
  handoff?: { endpointId: string; endpointName: string; timeoutHours: number };
  /** Where the consumer was sent after submitting (Redirect after submit). */
  redirectUrl?: string;
};

export const accessRequests = pgTable(
  "access_requests",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    requesterId: text()
      .notNull()
      .references(() => users.id),
    appId: text()
      .notNull()
      .references(() => apps.id),
    planId: text()
      .notNull()
      .references(() => plans.id),
    status: requestStatus().notNull().default("pending"),
    reason: text().notNull(),
    // Answers to the plan's request fields, by field key.
    fields: jsonb().$type<Record<string, string>>().notNull().default({}),
    plan: jsonb().$type<PlanSnapshot>().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // null = the key never expires
    durationDays: integer(),
    resubmittedFromId: text(),
    // Extend: this request asks for more time on that (available) request's key; approving it moves
    // that key's expiry and issues no key (lib/requests/extend-request.ts).
    extendsRequestId: text().references((): AnyPgColumn => accessRequests.id),
    decidedAt: timestamp({ withTimezone: true }),
    // External approval: when the hand-off timed out and the request fell back to manual approval.
    handoffFallbackAt: timestamp({ withTimezone: true }),
    // "Remove": hidden from the requester's list; the record and its audit trail stay.
    hiddenAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A request is for one of its requester's own apps (lib/requests/create-request.ts): said here
    // too, so the queue sorted by app may pass over the apps of people its requester filter does not
    // name (lib/admin/queue-query.ts, joinedSortPage).
    foreignKey({ name: "access_requests_app_owner_fk", columns: [t.appId, t.requesterId], foreignColumns: [apps.id, apps.ownerId] }),
    // My requests: a requester's list, newest first. With the id: the queue's search reads a person's
    // requests in requested-at order from the index alone (their keys), not one table page each
    // (drizzle/0035: a first search of an email at 1M requests read 483 table pages for 481 keys).
    // With the status last: the queue's requester filter in one status tests it in the index, not in
    // the table (drizzle/0036: the owner's pending requests of 11 people at 1M requests read 5,600
    // table rows for 205).
    index("access_requests_requester_created_status_idx").on(t.requesterId, t.createdAt, t.id, t.status),
    // The approval queue: by status, oldest first.
    index("access_requests_status_idx").on(t.status, t.createdAt),
    // The queue across all statuses, newest or oldest first.
    index("access_requests_created_idx").on(t.createdAt, t.id),
    // Duplicate check at submit: an app's live requests. With the id: the queue sorted by app reads
    // each app's requests of one status in id order (lib/admin/queue-query.ts, joinedSortPage). At
    // 1M requests, a product's pending requests sorted by app read every pending part of the product
    // once per app for want of it: the page 42 → 8.8 ms in-process (2026-12-06, drizzle/0034).
    index("access_requests_app_status_id_idx").on(t.appId, t.status, t.id),
    // A plan's requests; and the queue's plan filter: a status's requests of a plan by id alone (its
    // capped count) and in requested-at order (its page), from the index alone.
    index("access_requests_plan_status_idx").on(t.planId, t.status, t.createdAt, t.id),
    // The queue's other sort orders (column, then id as lib/admin/queue-query.ts orders them), so a
    // sorted page reads the index and stops instead of sorting every request (1M rows: ~2 s → ms).
    index("access_requests_status_id_idx").on(t.status, t.id),
    index("access_requests_plan_name_idx").on(sql`(${t.plan}->>'name')`, t.id),
    index("access_requests_starts_idx").on(t.startsAt, t.id),
    // The same two orders within one status, for a view of one status: walked along the indexes above,
    // a status few requests hold passed every request there is to find them (an owner's revoked
    // requests, none, sorted by plan or Requested for: 1.2 s at 1M requests, a 500 at the deadline;
    // adversarial review, 2026-12-08; 3–4 ms with these, drizzle/0039). The plan's with the request's
    // date last, so a date filter is tested in the index (denied requests of four days sorted by plan:
    // 26 → 11 ms of SQL at p50, 100 rows 105 → 13).
    index("access_requests_status_plan_idx").on(t.status, sql`(${t.plan}->>'name')`, t.id, t.createdAt),
    index("access_requests_status_starts_idx").on(t.status, t.startsAt, t.id),
    // And a person's requests of one status by id, for the requester sort's walk (joinedSortPage) as
    // (app, status, id) is for the app sort's: on (requester, id, created_at) a person's requests of
    // every status were read to find the few in it (drizzle/0039).
    index("access_requests_requester_status_id_idx").on(t.requesterId, t.status, t.id),
    // How long after (or before) it was made a request starts: the least and the greatest, each the
    // end of this index, bound where a date filter's requests lie in the starts-at order, so the
    // queue's Requested for sort walks only that stretch of access_requests_starts_idx
    // (lib/admin/queue-query.ts, startsWithin).
    index("access_requests_lead_idx").on(sql`(${t.startsAt} - ${t.createdAt})`),
    // The sorts on a joined column (requester email, app name) walk users or apps in that order and,
    // for each, that one's requests by id, stopping after a page (lib/admin/queue-query.ts). The
    // request's date last: a date filter is tested in the index, not in the table (drizzle/0038: one
    // day sorted by requester at 1M requests read some 430 requests of each person it passed, 20 ms
    // of SQL; 9 ms with it).
    index("access_requests_requester_id_created_idx").on(t.requesterId, t.id, t.createdAt),
    index("access_requests_app_id_created_idx").on(t.appId, t.id, t.createdAt),
    // The queue's search finds the requests whose reason holds the text here (lib/admin/queue-query.ts, searchMatches).
    // Without a pending list: every status change writes a new row version into this index too, and
    // a GIN index's pending list (fastupdate, up to 4 MB) is read in full by every search until a
    // vacuum empties it. At 1M requests 274 pending pages cost an email's search 13.2 → 9.7 ms and a
    // product's name 6.5 → 3.9 ms; written straight into the index, a 1,000-request approval took
    // the same time (2026-12-06, drizzle/0032).
    index("access_requests_reason_trgm_idx").using("gin", sql`reason gin_trgm_ops`).with({ fastupdate: false }),
    // The admin overview's "Decided today" (app/admin/page.tsx): a range of the newest decisions.
    index("access_requests_decided_idx").on(t.decidedAt),
    // At most one pending extension per request: the guard two concurrent asks meet (the loser's
    // insert fails), and the lookup of a request's pending extension.
    uniqueIndex("access_requests_one_pending_extension").on(t.extendsRequestId).where(sql`${t.status} = 'pending'`),
    index("access_requests_extends_idx").on(t.extendsRequestId),
    // The minute sweeps (lib/jobs/start-worker.ts) find their few due rows by index: at 1,000,000
    // requests each scanned the table, 1.2 s (unclaimed expiry) and 1.4 s (hand-off fallback) of a
    // core every minute. The window's end is in UTC, where adding days is immutable and indexable.
    index("access_requests_unclaimed_end_idx")
      .on(sql`(timezone('UTC', ${t.startsAt}) + make_interval(days => ${t.durationDays}))`)
      .where(sql`${t.status} = 'approved' and ${t.durationDays} is not null`),
    index("access_requests_handoff_pending_idx")
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending' and ${t.handoffFallbackAt} is null and ${t.plan} ? 'handoff'`),
  ],
);

export const accessRequestProducts = pgTable(
  "access_request_products",
  {
    requestId: text()
      .notNull()
      .references(() => accessRequests.id, { onDelete: "cascade" }),
    productId: text()
      .notNull()
      .references(() => products.id),
    // Each part is granted by its product's owner or an admin (DESIGN.md §9); null by auto-approve.
    approvedById: text().references(() => users.id),
    approvedAt: timestamp({ withTimezone: true }),
    // An owner revokes only their own parts: a revoked part's product stops verifying.
    revokedById: text().references(() => users.id),
    revokedAt: timestamp({ withTimezone: true }),
    // Its request's status, kept equal to it by the database (drizzle/0031_part_status.sql: set on
    // insert from the request, and again whenever the request's status changes), never written
    // here; the default only satisfies an insert's type. Beside the product, so a product's requests
    // in one status are a range of one index (the queue's product filter and search).
    status: requestStatus().notNull().default("pending"),
    // Its request's requester, kept equal to it by the database as the status is (drizzle/0035:
    // set on insert from the request, and again if the request's requester changes), never written
    // here; the default only satisfies an insert's type. A person's parts are then neighbours in one
    // index, so whether an owner sees each of a person's requests is read from a few pages of it
    // instead of a page per request (lib/auth/permissions.ts, VisibilityOptions.requester).
    requesterId: text().notNull().default(""),
    // When its request was made, kept equal to it by the database as the requester is (drizzle/0040:
    // set on insert from the request, and again if the request's date changes), never written here; the
    // default only satisfies an insert's type. Beside the product, so a product's requests of some
    // days are a range of one index (the queue's product filter with a date filter).
    createdAt: timestamp({ withTimezone: true }).notNull().default(sql`'-infinity'`),
  },
  (t) => [
    primaryKey({ columns: [t.requestId, t.productId] }),
    index("access_request_products_product_idx").on(t.productId, t.requestId),
    // A product's requests in one status, by id, from the index alone: the pending requests of one
    // product at 1M requests, 1,001 counted in a range of 1,001 entries instead of a merge of the
    // product's 22,000 parts with 9,000 pending ids (lib/admin/queue-query.ts).
    index("access_request_products_product_status_idx").on(t.productId, t.status, t.requestId),
    // A person's requests' parts, by request: the queue's search of a person (lib/admin/queue-query.ts).
    // With the status last: the requester filter's count in one status (countOwnersPeople) is read
    // from the index alone (drizzle/0036).
    index("access_request_products_requester_status_idx").on(t.requesterId, t.requestId, t.productId, t.status),
    // A product's requests made in some days, by when, with the status last: the queue's product
    // filter with a date filter counts its 1,001 matches from a range of this index instead of testing
    // some 9,000 of the days' requests for the product, or hashing all of its parts (drizzle/0040).
    index("access_request_products_product_created_idx").on(t.productId, t.createdAt, t.requestId, t.status),
  ],
);

// One row per distinct approver: a plan needing two approvals needs two rows.
export const requestApprovals = pgTable(
  "request_approvals",
  {
    requestId: text()
      .notNull()
      .references(() => accessRequests.id, { onDelete: "cascade" }),
    approverId: text()
      .notNull()
      .references(() => users.id),
    comment: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.requestId, t.approverId] }),
    // "Already approved by me" (lib/admin/nav-counts.ts, on every admin page) looks up one
    // approver's rows: without it, a scan of the whole table (3.5 ms at 14,000 approvals).
    index("request_approvals_approver_idx").on(t.approverId, t.requestId),
  ],
);
