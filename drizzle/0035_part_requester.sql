-- Each part carries its request's requester, as it carries its status (0031), so a person's parts
-- are neighbours in one index (access_request_products_requester_idx): whether an owner sees each of
-- a person's requests (the queue's search of a person, lib/admin/queue-query.ts) is read from a few
-- pages of it, not from a page of the (request, product) key per request. At 1M requests a first
-- search of an email read about 700 such pages for 481 requests, 50 ms of reads on this machine
-- (2026-12-06). The database keeps the copy equal to the request's; the app never writes it.
-- Requests are locked until this migration commits, against reads too, and before the parts are: a
-- request written (or a requester changed) after the backfill read it and before the triggers below
-- exist would leave parts with no requester, or the one before (as in 0031); and the DROP INDEX
-- below needs this lock. Taken later, while readers that hold the requests wait on the parts
-- (ALTER TABLE locks them from here to the commit), it would deadlock with them: a queue page reads
-- the requests and then their parts (adversarial review, 2026-12-06). Readers take the requests
-- first too (lib/usage/queries.ts's products of an app was the one that read the parts first, until
-- this migration), so they wait here instead. At 1M requests both tables wait about 47 s (docs/deploy.md).
LOCK TABLE "access_requests" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD COLUMN "requester_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE "access_request_products" p SET "requester_id" = r."requester_id"
  FROM "access_requests" r WHERE r."id" = p."request_id" AND p."requester_id" IS DISTINCT FROM r."requester_id";--> statement-breakpoint
CREATE INDEX "access_request_products_requester_idx" ON "access_request_products" USING btree ("requester_id","request_id","product_id");--> statement-breakpoint
-- My requests' index with the id: the search's person's requests with their keys, from the index
-- alone. Built before the old one goes; `IF NOT EXISTS` finds one built beforehand by hand with
-- CREATE INDEX CONCURRENTLY (docs/deploy.md).
CREATE INDEX IF NOT EXISTS "access_requests_requester_created_id_idx" ON "access_requests" USING btree ("requester_id","created_at","id");--> statement-breakpoint
DROP INDEX IF EXISTS "access_requests_requester_idx";--> statement-breakpoint
-- 0031's trigger function, which also copies the requester now (and restores it, as the status, when
-- a writer names another).
CREATE OR REPLACE FUNCTION portico_part_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current request_status;
  requester text;
BEGIN
  SELECT r."status", r."requester_id" INTO current, requester FROM "access_requests" r WHERE r."id" = NEW."request_id" FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'insert or update on table "access_request_products" violates foreign key constraint "access_request_products_request_id_access_requests_id_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'access_request_products_request_id_access_requests_id_fk',
        DETAIL = 'Key (request_id) is not present in table "access_requests".';
  END IF;
  NEW."status" := current;
  NEW."requester_id" := requester;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
DROP TRIGGER "access_request_products_status" ON "access_request_products";--> statement-breakpoint
CREATE TRIGGER "access_request_products_status" BEFORE INSERT OR UPDATE OF "request_id", "status", "requester_id" ON "access_request_products"
  FOR EACH ROW EXECUTE FUNCTION portico_part_status();
--> statement-breakpoint
-- A request's new requester is its parts' too (the app never changes one; a hand-made change is
-- followed), by 0031's trigger for the status, which now copies both, under READ COMMITTED for the
-- reason 0033 gives.
CREATE OR REPLACE FUNCTION portico_request_status_to_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'a request''s status or requester changes under READ COMMITTED, not %: its parts keep a copy of them', upper(current_setting('transaction_isolation'))
      USING ERRCODE = 'feature_not_supported';
  END IF;
  UPDATE "access_request_products" SET "status" = NEW."status", "requester_id" = NEW."requester_id" WHERE "request_id" = NEW."id";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER "access_requests_status_to_parts" ON "access_requests";--> statement-breakpoint
CREATE TRIGGER "access_requests_status_to_parts" AFTER UPDATE OF "status", "requester_id" ON "access_requests"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."requester_id" IS DISTINCT FROM NEW."requester_id")
  EXECUTE FUNCTION portico_request_status_to_parts();
