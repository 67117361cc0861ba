-- Trigram matching for the audit log's free-text search (pg_trgm ships with PostgreSQL; trusted since 13).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "audit_events_search_trgm_idx" ON "audit_events" USING gin ((action || ' ' || subject_id || ' ' || coalesce(comment, '')) gin_trgm_ops);--> statement-breakpoint
-- Statistics on the indexed expression now, so the planner knows common words from rare ones at once.
ANALYZE audit_events;
