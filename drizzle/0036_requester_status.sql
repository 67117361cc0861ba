-- A person's requests and their parts, with the status last in the requester's indexes: the queue's
-- requester filter in one status (the pending view it opens with) tests the status in the index, not
-- in the table. At 1M requests the owner's pending requests of 11 people (205 of their 5,600) read
-- 5,600 table rows each for the page and for the count: 18.0 ms of SQL at p50, then 10.3 (2026-12-07,
-- in-process, the queue's pool).
-- The keys before it are the old indexes' own, in the same order, so every other reader of them
-- (My requests, the search of a person, the API's requester filter) reads them as before.
-- Requests are locked first, as in 0035 and as every reader takes them (requests, then parts): a
-- writer holding a request and waiting on the parts' index build would otherwise deadlock with the
-- DROP INDEX below. At 1M requests both tables wait about 8 s; on a larger table build both indexes
-- first by hand with CREATE INDEX CONCURRENTLY under these names (docs/deploy.md): `IF NOT EXISTS`
-- then leaves the migration only the drops.
LOCK TABLE "access_requests" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "access_requests_requester_created_status_idx" ON "access_requests" USING btree ("requester_id","created_at","id","status");--> statement-breakpoint
DROP INDEX IF EXISTS "access_requests_requester_created_id_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "access_request_products_requester_status_idx" ON "access_request_products" USING btree ("requester_id","request_id","product_id","status");--> statement-breakpoint
DROP INDEX IF EXISTS "access_request_products_requester_idx";
