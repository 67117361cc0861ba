CREATE TYPE "public"."usage_outcome" AS ENUM('allowed', 'rate_limited', 'over_quota', 'unknown_product', 'expired', 'revoked');--> statement-breakpoint
CREATE TYPE "public"."usage_window" AS ENUM('minute', 'month');--> statement-breakpoint
CREATE TABLE "key_usage_daily" (
	"key_id" text NOT NULL,
	"day" date NOT NULL,
	"outcome" "usage_outcome" NOT NULL,
	"product" text DEFAULT '' NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "key_usage_daily_key_id_day_outcome_product_pk" PRIMARY KEY("key_id","day","outcome","product")
);
--> statement-breakpoint
CREATE TABLE "usage_counters" (
	"subject_id" text NOT NULL,
	"window" "usage_window" NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_counters_subject_id_window_window_start_pk" PRIMARY KEY("subject_id","window","window_start"),
	CONSTRAINT "usage_counters_count_check" CHECK ("usage_counters"."count" >= 0)
);
--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "enforce_limits" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "max_grace_hours" integer DEFAULT 168 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "reminder_days" integer[] DEFAULT '{30,7,1,0}'::integer[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "imported_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "key_usage_daily_day_idx" ON "key_usage_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "usage_counters_window_start_idx" ON "usage_counters" USING btree ("window","window_start");