-- The reason's trigram index goes without a pending list (db/schema/access-requests.ts): every
-- status change writes a new row version into it, and every queue search read the whole pending
-- list until a vacuum emptied it. Altered in place rather than rebuilt (a rebuild at 1M requests
-- takes seconds under a lock); turning fastupdate off keeps the entries already pending, so they are
-- moved into the index here.
ALTER INDEX "access_requests_reason_trgm_idx" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('access_requests_reason_trgm_idx'::regclass);
