ALTER TABLE "apps" ADD CONSTRAINT "apps_id_owner_key" UNIQUE("id","owner_id");--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_app_owner_fk" FOREIGN KEY ("app_id","requester_id") REFERENCES "public"."apps"("id","owner_id") ON DELETE no action ON UPDATE no action;
