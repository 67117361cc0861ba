CREATE TABLE "portal_branding" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"name" text,
	"headline" text,
	"accent" text,
	"logo" "bytea",
	"logo_type" text,
	"footer_links" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "featured" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "product_plans" ADD COLUMN "position" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "product_plans" ADD COLUMN "recommended" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "portal_branding" ADD CONSTRAINT "portal_branding_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_branding" ADD CONSTRAINT "portal_branding_one_row" CHECK ("id");
--> statement-breakpoint
-- The brand is in every page's header and footer: every instance hears a change (lib/coherence).
CREATE TRIGGER portal_branding_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON portal_branding
  FOR EACH STATEMENT EXECUTE FUNCTION portico_notify_change();
