-- Sort orders of the approval queue (lib/admin/queue-query.ts): each reads an index and stops after a page.
CREATE INDEX "apps_name_idx" ON "apps" USING btree ("name");--> statement-breakpoint
CREATE INDEX "access_requests_status_id_idx" ON "access_requests" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "access_requests_plan_name_idx" ON "access_requests" USING btree (("plan"->>'name'),"id");--> statement-breakpoint
CREATE INDEX "access_requests_starts_idx" ON "access_requests" USING btree ("starts_at","id");--> statement-breakpoint
-- Statistics on the plan-name expression now, so the planner uses its index at once.
ANALYZE access_requests;--> statement-breakpoint
ANALYZE apps;
