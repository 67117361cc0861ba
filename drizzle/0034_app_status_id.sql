-- An app's requests of one status, in id order (db/schema/access-requests.ts): the queue sorted by
-- app reads them app by app; the duplicate check at submit still reads the (app, status) prefix.
-- Built before the old index goes, in this migration's transaction (about 4 s at 1M requests,
-- writes to access_requests waiting meanwhile).
CREATE INDEX "access_requests_app_status_id_idx" ON "access_requests" USING btree ("app_id","status","id");--> statement-breakpoint
DROP INDEX "access_requests_app_status_idx";
