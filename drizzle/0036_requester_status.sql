-- A person's requests and their parts, with the status last in the requester's indexes: the queue's
-- requester filter in one status (the pending view it opens with) tests the status in the index, not
-- in the table. At 1M requests the owner's pending requests of 11 people (205 of their 5,600) read
-- 5,600 table rows each for the page and for the count: 18.0 ms of SQL at p50, then 10.3 (2026-12-07,
-- in-process, the queue's pool).
-- The keys before it are the old indexes' own, in the same order, so every other reader of them
-- (My requests, the search of a person, the API's requester filter) reads them as before.
-- Requests are locked first, against reads and writes, as every statement that reads both tables
-- locks them (the requests, then the parts): dropping the parts' index below locks the parts against
-- reads too, and a reader holding the parts while it waited for the requests would deadlock with it
-- (lib/admin/queue-lock-order.test.ts). At 1M requests the whole `npm run db:migrate` took 6.5 s
-- here, and everything that reads requests waits meanwhile. On a larger table build both indexes
-- first by hand with CREATE INDEX CONCURRENTLY under these names (docs/deploy.md): `IF NOT EXISTS`
-- then leaves the migration only the drops. One built by hand that is still building, or that
-- failed or was cancelled, is invalid under its name, which `IF NOT EXISTS` would accept and the
-- planner never uses: the migration stops instead, before it locks anything (while a build runs,
-- the lock would wait for it, readers behind it, and one of the two would end in a deadlock).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relname IN ('access_requests_requester_created_status_idx', 'access_request_products_requester_status_idx')
               AND i.indrelid IN ('access_requests'::regclass, 'access_request_products'::regclass) AND NOT i.indisvalid) THEN
    RAISE EXCEPTION 'an index built beforehand by hand for this migration is not valid: a CREATE INDEX CONCURRENTLY still running (wait for it, then deploy again), or one that failed or was cancelled (drop it with DROP INDEX CONCURRENTLY and build it again, or let the migration build it)'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
END;
$$;--> statement-breakpoint
LOCK TABLE "access_requests" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "access_requests_requester_created_status_idx" ON "access_requests" USING btree ("requester_id","created_at","id","status");--> statement-breakpoint
DROP INDEX IF EXISTS "access_requests_requester_created_id_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "access_request_products_requester_status_idx" ON "access_request_products" USING btree ("requester_id","request_id","product_id","status");--> statement-breakpoint
DROP INDEX IF EXISTS "access_request_products_requester_idx";
