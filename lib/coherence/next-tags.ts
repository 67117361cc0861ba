import type nodeModule from "node:module";
import path from "node:path";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import { CATALOGUE_TABLES, type Change, type ChangeListener } from "./changes";

type TagsManifest = Map<string, { stale?: number; expired?: number }>;

/**
 * Next keeps, per process, when each cache tag was last revalidated (its tags manifest), and treats
 * a cached page or `unstable_cache` entry whose tags expired after it was made as gone. That map is
 * what `revalidateTag(tag, { expire: 0 })` writes; it is only reachable from inside a request, so a
 * change heard from another instance writes it directly, through the same module Next loaded (a
 * `.external` module: one instance per process, never bundled). The module is Next's, not public:
 * its shape is checked here and the two-instance tests fail if it changes.
 */
function tagsManifest(): TagsManifest | undefined {
  const g = globalThis as unknown as { porticoTagsManifest?: TagsManifest | null };
  if (g.porticoTagsManifest !== undefined) return g.porticoTagsManifest ?? undefined;
  try {
    const { createRequire } = process.getBuiltinModule("node:module") as typeof nodeModule;
    const load = createRequire(path.join(process.cwd(), "package.json"));
    const loaded = load("next/dist/server/lib/incremental-cache/tags-manifest.external.js") as { tagsManifest?: unknown };
    g.porticoTagsManifest = loaded.tagsManifest instanceof Map ? (loaded.tagsManifest as TagsManifest) : null;
  } catch {
    g.porticoTagsManifest = null;
  }
  if (!g.porticoTagsManifest) console.error("[changes] Next's tags manifest was not found: other instances' catalogue changes show after the page's revalidate time.");
  return g.porticoTagsManifest ?? undefined;
}

/** Expires `tags` now in this process, as `revalidateTag(tag, { expire: 0 })` would. */
export function expireTagsHere(tags: readonly string[]) {
  const manifest = tagsManifest();
  if (!manifest) return false;
  const at = Date.now();
  for (const tag of tags) manifest.set(tag, { ...manifest.get(tag), stale: at, expired: at });
  return true;
}

/**
 * Every catalogue page and query is tagged CATALOGUE_TAG (lib/catalogue/cached.ts); `_N_T_/layout` is
 * the tag Next gives every page under the root layout, so nothing cached from before survives.
 */
export const CATALOGUE_PAGE_TAGS = [CATALOGUE_TAG, "_N_T_/layout"] as const;

/**
 * After a change, the tags are expired again at these delays: a page or query that read the tables
 * before the change committed but was stored after the notification counts as newer than the
 * expiry, and would be served until its revalidate time (300 s). Its render ends within a moment,
 * so expiring again drops it, at the cost of rendering the touched pages once more.
 */
export const REEXPIRE_AFTER_MS = [250, 1000] as const;

/** Catalogue pages follow the catalogue tables on every instance. */
export function expireCatalogueOnChange(changes: ChangeListener, reexpireAfterMs: readonly number[] = REEXPIRE_AFTER_MS) {
  let timers: NodeJS.Timeout[] = [];
  const unsubscribe = changes.subscribe((change: Change) => {
    if (change !== "*" && !CATALOGUE_TABLES.has(change)) return;
    expireTagsHere(CATALOGUE_PAGE_TAGS);
    for (const t of timers) clearTimeout(t);
    timers = reexpireAfterMs.map((ms) => setTimeout(() => expireTagsHere(CATALOGUE_PAGE_TAGS), ms).unref());
  });
  return () => {
    for (const t of timers) clearTimeout(t);
    unsubscribe();
  };
}
