/**
 * Zod 4 keeps its configuration (`z.config()`) on `globalThis.__zod_globalConfig`, one object shared
 * by every copy of zod in the page (its own and any a library bundles), created by whichever loads
 * first. Setting `jitless` there is `z.config({ jitless: true })` without loading zod itself.
 * lib/zod-jitless.test.ts holds zod to that: an upgrade that moves the config fails there.
 */
export function jitlessZod() {
  const g = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
  g.__zod_globalConfig ??= {};
  g.__zod_globalConfig.jitless = true;
}
