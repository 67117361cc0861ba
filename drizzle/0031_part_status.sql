-- Each part carries its request's status, so a product's requests in one status are a range of one
-- index (access_request_products_product_status_idx): the queue's product filter and its search of a
-- product's name (lib/admin/queue-query.ts). The database keeps the copy equal to the request's; the
-- app never writes it.
-- Requests are locked against writes first, until this migration commits: a status changed after
-- the backfill read it and before the triggers below exist (or a change begun before the migration
-- and committed during it) would leave its parts with the status before, for good (adversarial
-- review, 2026-12-05). At 1M requests the backfill takes seconds, and decisions wait for it.
LOCK TABLE "access_requests" IN SHARE MODE;--> statement-breakpoint
ALTER TABLE "access_request_products" ADD COLUMN "status" "request_status" DEFAULT 'pending' NOT NULL;--> statement-breakpoint
UPDATE "access_request_products" p SET "status" = r."status"
  FROM "access_requests" r WHERE r."id" = p."request_id" AND p."status" IS DISTINCT FROM r."status";--> statement-breakpoint
CREATE INDEX "access_request_products_product_status_idx" ON "access_request_products" USING btree ("product_id","status","request_id");--> statement-breakpoint
-- A part takes its request's status when it is written. FOR SHARE waits for a transaction that is
-- changing that status to end and reads what it committed: without it, a part inserted while the
-- request's status changes elsewhere would keep the status before (the change's own update of the
-- parts, below, does not see a part not yet committed). A request that does not exist (yet, in
-- this statement: a part written before its request in one statement) is refused as the foreign key
-- would refuse it, rather than the part kept with a status that may not be its request's.
CREATE OR REPLACE FUNCTION portico_part_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current request_status;
BEGIN
  SELECT r."status" INTO current FROM "access_requests" r WHERE r."id" = NEW."request_id" FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'insert or update on table "access_request_products" violates foreign key constraint "access_request_products_request_id_access_requests_id_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'access_request_products_request_id_access_requests_id_fk',
        DETAIL = 'Key (request_id) is not present in table "access_requests".';
  END IF;
  NEW."status" := current;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER access_request_products_status BEFORE INSERT OR UPDATE OF "request_id", "status" ON "access_request_products"
  FOR EACH ROW EXECUTE FUNCTION portico_part_status();
--> statement-breakpoint
-- A request's new status is its parts' too, in the same statement's transaction. The update reads
-- the parts committed by now (READ COMMITTED: a new snapshot for each statement, the app's and
-- PostgreSQL's default). A REPEATABLE READ transaction's snapshot would miss a part committed since
-- it began, which would keep the status before: refused there, loudly. SERIALIZABLE detects that
-- conflict itself and fails one of the two transactions.
CREATE OR REPLACE FUNCTION portico_request_status_to_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') = 'repeatable read' THEN
    RAISE EXCEPTION 'a request''s status changes under READ COMMITTED (or SERIALIZABLE), not REPEATABLE READ: its parts keep a copy of it'
      USING ERRCODE = 'feature_not_supported';
  END IF;
  UPDATE "access_request_products" SET "status" = NEW."status" WHERE "request_id" = NEW."id";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER access_requests_status_to_parts AFTER UPDATE OF "status" ON "access_requests"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION portico_request_status_to_parts();
