import "server-only";
import { unstable_cache } from "next/cache";
import { cache } from "react";
import { db } from "@/db/client";
import { databaseUnavailableIn } from "@/db/unavailable";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import { type Branding, DEFAULT_BRANDING } from "./defaults";
import { readBranding } from "./read-branding";

/**
 * The brand for pages, cached under the catalogue tag: portal_branding is a catalogue table, so a
 * save on any instance expires it on every instance (lib/coherence).
 */
const cachedBranding = unstable_cache(() => readBranding(db), ["portal-branding"], {
  tags: [CATALOGUE_TAG],
  revalidate: 300,
});

/** The last brand this process read: what pages wear while the database does not answer. */
let lastRead: Branding | null = null;

/**
 * The brand every page wears (header, footer, title, favicon). It is read in the root layout, so
 * a database that does not answer must not fail the page: losing the change listener expires the
 * cache (lib/coherence), and the cached catalogue, or the "temporarily unavailable" page, still
 * shows in the last brand read, or Portico's default before any. Once per request (React's
 * cache): the metadata, the brand's style, the header and the footer each ask, and each ask of
 * unstable_cache is a lookup in Next's cache.
 */
export const getBranding = cache(async (): Promise<Branding> => {
  try {
    lastRead = await cachedBranding();
    return lastRead;
  } catch (error) {
    if (!databaseUnavailableIn(error)) throw error;
    return lastRead ?? DEFAULT_BRANDING;
  }
});
