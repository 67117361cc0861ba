-- How long after it was made each request starts (starts_at - created_at; negative for one that
-- started before), in an index whose two ends are the least and the greatest: the queue's date
-- filter sorted by Requested for then walks access_requests_starts_idx only where the filter's
-- requests can start (lib/admin/queue-query.ts, startsWithin), not from the index's beginning.
-- Writes to access_requests wait while it is built in this migration's transaction; `IF NOT EXISTS`
-- finds one built beforehand by hand with CREATE INDEX CONCURRENTLY (docs/deploy.md).
CREATE INDEX IF NOT EXISTS "access_requests_lead_idx" ON "access_requests" USING btree (("starts_at" - "created_at"));
