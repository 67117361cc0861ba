CREATE TYPE "public"."oauth_client_auth" AS ENUM('client_secret', 'private_key_jwt');--> statement-breakpoint
CREATE TYPE "public"."oauth_jti_kind" AS ENUM('assertion', 'revoked_token');--> statement-breakpoint
CREATE TYPE "public"."oauth_signing_key_state" AS ENUM('next', 'active', 'retired');--> statement-breakpoint
CREATE TABLE "oauth_clients" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"auth_method" "oauth_client_auth" DEFAULT 'client_secret' NOT NULL,
	"secret_hash" text,
	"secret_start" text,
	"previous_secret_hash" text,
	"previous_secret_ends_at" timestamp with time zone,
	"public_jwk" jsonb,
	"app_id" text NOT NULL,
	"request_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"valid_from" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"end_reason" "key_end_reason",
	"revoked_at" timestamp with time zone,
	"revoked_by_id" text,
	"revoked_reason" text,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "oauth_jtis" (
	"kind" "oauth_jti_kind" NOT NULL,
	"client_id" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "oauth_jtis_kind_client_id_jti_pk" PRIMARY KEY("kind","client_id","jti")
);
--> statement-breakpoint
CREATE TABLE "oauth_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"private_jwk" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"state" "oauth_signing_key_state" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "oauth_scopes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "access_token_lifetime_seconds" integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD CONSTRAINT "oauth_clients_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD CONSTRAINT "oauth_clients_request_id_access_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."access_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD CONSTRAINT "oauth_clients_revoked_by_id_users_id_fk" FOREIGN KEY ("revoked_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_clients_client_id_key" ON "oauth_clients" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "oauth_clients_app_idx" ON "oauth_clients" USING btree ("app_id","created_at");--> statement-breakpoint
CREATE INDEX "oauth_clients_request_idx" ON "oauth_clients" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "oauth_jtis_expires_idx" ON "oauth_jtis" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_signing_keys_one_active" ON "oauth_signing_keys" USING btree ("state") WHERE "oauth_signing_keys"."state" = 'active';--> statement-breakpoint
-- Verify keeps OAuth clients' state in memory like keys (lib/coherence/changes.ts KEY_TABLES): a revoke,
-- roll, check-in or expiry is heard by every instance on COMMIT. last_used_at changes no verify answer.
CREATE TRIGGER oauth_clients_notify_change AFTER INSERT OR DELETE OR TRUNCATE
  OR UPDATE OF id, client_id, auth_method, secret_hash, secret_start, previous_secret_hash, previous_secret_ends_at,
    public_jwk, app_id, request_id, created_at, valid_from, expires_at, ends_at, end_reason, revoked_at, revoked_by_id, revoked_reason
  ON oauth_clients FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
-- A signing-key rotation changes which keys verify trusts.
CREATE TRIGGER oauth_signing_keys_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON oauth_signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
--> statement-breakpoint
-- A revoked access token (RFC 7009) is refused by verify at once; used assertions change no verify answer.
CREATE TRIGGER oauth_jtis_notify_change AFTER INSERT ON oauth_jtis
  FOR EACH ROW WHEN (NEW.kind = 'revoked_token') EXECUTE FUNCTION portico_notify_change();
