-- Each part carries its request's status, so a product's requests in one status are a range of one
-- index (access_request_products_product_status_idx): the queue's product filter and its search of a
-- product's name (lib/admin/queue-query.ts). The database keeps the copy equal to the request's; the
-- app never writes it.
ALTER TABLE "access_request_products" ADD COLUMN "status" "request_status" DEFAULT 'pending' NOT NULL;--> statement-breakpoint
UPDATE "access_request_products" p SET "status" = r."status"
  FROM "access_requests" r WHERE r."id" = p."request_id" AND p."status" IS DISTINCT FROM r."status";--> statement-breakpoint
CREATE INDEX "access_request_products_product_status_idx" ON "access_request_products" USING btree ("product_id","status","request_id");--> statement-breakpoint
-- A part takes its request's status when it is written. FOR SHARE waits for a transaction that is
-- changing that status to end and reads what it committed: without it, a part inserted while the
-- request's status changes elsewhere would keep the status before (the change's own update of the
-- parts, below, does not see a part not yet committed). A request that does not exist is left to
-- the foreign key, which fails the insert.
CREATE OR REPLACE FUNCTION portico_part_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current request_status;
BEGIN
  SELECT r."status" INTO current FROM "access_requests" r WHERE r."id" = NEW."request_id" FOR SHARE;
  IF FOUND THEN
    NEW."status" := current;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER access_request_products_status BEFORE INSERT OR UPDATE OF "request_id", "status" ON "access_request_products"
  FOR EACH ROW EXECUTE FUNCTION portico_part_status();
--> statement-breakpoint
-- A request's new status is its parts' too, in the same statement's transaction.
CREATE OR REPLACE FUNCTION portico_request_status_to_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "access_request_products" SET "status" = NEW."status" WHERE "request_id" = NEW."id";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER access_requests_status_to_parts AFTER UPDATE OF "status" ON "access_requests"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION portico_request_status_to_parts();
