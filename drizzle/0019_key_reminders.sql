CREATE TABLE "reminder_digests" (
	"id" text PRIMARY KEY NOT NULL,
	"recipient_id" text NOT NULL,
	"day" date NOT NULL,
	"email_message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_reminders" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"key_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"days_before" integer NOT NULL,
	"digest_id" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reminder_digests" ADD CONSTRAINT "reminder_digests_recipient_id_users_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminder_digests" ADD CONSTRAINT "reminder_digests_email_message_id_email_messages_id_fk" FOREIGN KEY ("email_message_id") REFERENCES "public"."email_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_reminders" ADD CONSTRAINT "key_reminders_request_id_access_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."access_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_reminders" ADD CONSTRAINT "key_reminders_key_id_api_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_reminders" ADD CONSTRAINT "key_reminders_digest_id_reminder_digests_id_fk" FOREIGN KEY ("digest_id") REFERENCES "public"."reminder_digests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_digests_recipient_day_key" ON "reminder_digests" USING btree ("recipient_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "key_reminders_request_expiry_days_key" ON "key_reminders" USING btree ("request_id","expires_at","days_before");--> statement-breakpoint
CREATE INDEX "api_keys_working_expiry_idx" ON "api_keys" USING btree ("expires_at") WHERE "api_keys"."end_reason" is null;