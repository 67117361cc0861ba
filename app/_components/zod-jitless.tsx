"use client";

import { jitlessZod } from "@/lib/zod-jitless";

// Zod compiles object schemas with `new Function` when it may, probing with `Function("")` first.
// Under the CSP (no 'unsafe-eval') that probe is reported as a violation on every page with a form
// or the API reference; jitless parsing is just as correct and needs no eval. Rendered first in the
// root layout, so it runs before any client-side schema is built, and without importing zod, which
// would put its 132 KB on every page (lib/zod-jitless.ts).
jitlessZod();

export function ZodJitless() {
  return null;
}
