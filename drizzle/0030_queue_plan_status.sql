DROP INDEX "access_requests_plan_idx";--> statement-breakpoint
CREATE INDEX "access_requests_plan_status_idx" ON "access_requests" USING btree ("plan_id","status","created_at","id");