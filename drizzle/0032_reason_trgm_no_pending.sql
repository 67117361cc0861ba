-- The reason's trigram index goes without a pending list (db/schema/access-requests.ts): every
-- status change writes a new row version into it, and every queue search read the whole pending
-- list until a vacuum emptied it. Altered in place rather than rebuilt (a rebuild at 1M requests
-- takes seconds); turning fastupdate off keeps the entries already pending, so they are moved into
-- the index here. The ALTER locks the index (ACCESS EXCLUSIVE) until this migration commits, and
-- reads of access_requests wait for it meanwhile: for the move of at most 4 MB of pending entries.
ALTER INDEX "access_requests_reason_trgm_idx" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('access_requests_reason_trgm_idx'::regclass);
