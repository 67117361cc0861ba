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
 * Catalogue pages follow the catalogue tables on every instance.
 *
 * Next stamps a cache entry with the time it was STORED, and an expiry only drops entries stored
 * before it: a render that read the catalogue before a change and is stored after the change was
 * heard would count as fresh for the page's whole revalidate time (300 s). So each change expires
 * the tags at once and again `settleMs` later, which drops whatever such a render stored meanwhile
 * (a render that started after the change is at worst made once more). One follow-up at a time:
 * changes heard while it waits move it to `settleMs` after the last of them.
 */
export function expireCatalogueOnChange(changes: ChangeListener, opts: { settleMs?: number } = {}) {
  const settleMs = opts.settleMs ?? 500;
  let followUp: NodeJS.Timeout | undefined;
  let lastChange = 0;
  const settle = () => {
    const wait = lastChange + settleMs - performance.now();
    if (wait > 0) {
      followUp = setTimeout(settle, wait);
      followUp.unref();
      return;
    }
    followUp = undefined;
    expireTagsHere(CATALOGUE_PAGE_TAGS);
  };
  const unsubscribe = changes.subscribe((change: Change) => {
    if (change !== "*" && !CATALOGUE_TABLES.has(change)) return;
    expireTagsHere(CATALOGUE_PAGE_TAGS);
    lastChange = performance.now();
    if (!followUp) {
      followUp = setTimeout(settle, settleMs);
      followUp.unref();
    }
  });
  return () => {
    unsubscribe();
    clearTimeout(followUp);
  };
}
