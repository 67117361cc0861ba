CREATE INDEX "users_email_trgm_idx" ON "users" USING gin (email gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_name_trgm_idx" ON "users" USING gin (name gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "apps_name_trgm_idx" ON "apps" USING gin (name gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "api_keys_start_idx" ON "api_keys" USING btree (start text_pattern_ops);