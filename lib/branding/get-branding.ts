import "server-only";
import { unstable_cache } from "next/cache";
import { db } from "@/db/client";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import { readBranding } from "./read-branding";

/**
 * The brand for pages, cached under the catalogue tag: portal_branding is a catalogue table, so a
 * save on any instance expires it on every instance (lib/coherence).
 */
export const getBranding = unstable_cache(() => readBranding(db), ["portal-branding"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});
