-- An app's requests of one status, in id order (db/schema/access-requests.ts): the queue sorted by
-- app reads them app by app; the duplicate check at submit still reads the (app, status) prefix.
-- Built before the old index goes, in this migration's transaction (3.8 s at 1M requests, writes
-- to access_requests waiting meanwhile); `IF NOT EXISTS` finds one built beforehand by hand with
-- CREATE INDEX CONCURRENTLY (docs/deploy.md).
CREATE INDEX IF NOT EXISTS "access_requests_app_status_id_idx" ON "access_requests" USING btree ("app_id","status","id");--> statement-breakpoint
DROP INDEX IF EXISTS "access_requests_app_status_idx";
