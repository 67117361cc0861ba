CREATE TYPE "public"."user_kind" AS ENUM('person', 'service');--> statement-breakpoint
CREATE TABLE "api_access_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"jti" text,
	"token_sha256" text,
	"roles" jsonb NOT NULL,
	"service_user_id" text NOT NULL,
	"created_by_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"expiry_warned_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"removed_by_id" text
);
--> statement-breakpoint
CREATE TABLE "api_idempotency_keys" (
	"access_key_id" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"response_status" integer,
	"response_body" text,
	"response_headers" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_idempotency_keys_access_key_id_key_pk" PRIMARY KEY("access_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "portal_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_jwk_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "kind" "user_kind" DEFAULT 'person' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_access_keys" ADD CONSTRAINT "api_access_keys_service_user_id_users_id_fk" FOREIGN KEY ("service_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_access_keys" ADD CONSTRAINT "api_access_keys_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_access_keys" ADD CONSTRAINT "api_access_keys_removed_by_id_users_id_fk" FOREIGN KEY ("removed_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_access_keys_name_key" ON "api_access_keys" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "api_access_keys_jti_key" ON "api_access_keys" USING btree ("jti");--> statement-breakpoint
CREATE INDEX "api_access_keys_expires_idx" ON "api_access_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "api_idempotency_keys_created_idx" ON "api_idempotency_keys" USING btree ("created_at");