ALTER TABLE "access_request_products" ADD COLUMN "approved_by_id" text;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD COLUMN "revoked_by_id" text;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD CONSTRAINT "access_request_products_approved_by_id_users_id_fk" FOREIGN KEY ("approved_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD CONSTRAINT "access_request_products_revoked_by_id_users_id_fk" FOREIGN KEY ("revoked_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;