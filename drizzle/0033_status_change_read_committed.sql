-- A request's status changes under READ COMMITTED only: its parts keep a copy of it (0031), which the
-- status change's trigger writes to the parts its statement sees. Under SERIALIZABLE that is the
-- transaction's snapshot, which misses a part committed since by a READ COMMITTED transaction (SSI
-- does not track those): the part kept the status before, and an owner's count read from the parts
-- (lib/admin/queue-query.ts, countOwnersView) counted a request their rows did not show
-- (adversarial review, 2026-12-06). 0031 assumed SERIALIZABLE would fail one of the two; it does only
-- when both are SERIALIZABLE. So SERIALIZABLE is refused as REPEATABLE READ already was. The app
-- changes statuses under READ COMMITTED, PostgreSQL's default.
CREATE OR REPLACE FUNCTION portico_request_status_to_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'a request''s status changes under READ COMMITTED, not %: its parts keep a copy of it', upper(current_setting('transaction_isolation'))
      USING ERRCODE = 'feature_not_supported';
  END IF;
  UPDATE "access_request_products" SET "status" = NEW."status" WHERE "request_id" = NEW."id";
  RETURN NULL;
END;
$$;
