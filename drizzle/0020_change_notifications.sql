-- Many instances, one truth (lib/coherence/changes.ts): every committed change to a table that a
-- cache depends on sends NOTIFY portico_changes '<table>'. Each instance LISTENs and drops what it
-- cached from that table: the catalogue pages (products, plans, product_plans) and verify's key
-- lookups (api_keys, access_requests, access_request_products, apps, products).
-- NOTIFY is transactional: it is delivered on COMMIT, never for a rolled-back change, and Postgres
-- folds identical notifications of one transaction into one. Statement-level: one per statement.
CREATE OR REPLACE FUNCTION portico_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portico_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER products_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
CREATE TRIGGER plans_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plans
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
CREATE TRIGGER product_plans_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_plans
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
CREATE TRIGGER apps_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON apps
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
CREATE TRIGGER access_requests_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON access_requests
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
CREATE TRIGGER access_request_products_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON access_request_products
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
-- Verify stamps last_used_at every few seconds and the expiry warning stamps expiry_warned_at:
-- neither changes a verify answer, so neither empties every instance's cache. A new api_keys column
-- that verify reads must be added to this list.
CREATE TRIGGER api_keys_notify_change AFTER INSERT OR DELETE OR TRUNCATE
  OR UPDATE OF id, key_hash, start, app_id, request_id, created_at, valid_from, expires_at, ends_at, end_reason,
    revoked_at, revoked_by_id, revoked_reason, replaced_by_id, imported_at
  ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
