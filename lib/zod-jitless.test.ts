import { expect, it } from "vitest";
import { jitlessZod } from "./zod-jitless";

type Shared = { __zod_globalConfig?: { jitless?: boolean } };

it("is zod's own jitless setting: set before zod loads, zod builds and parses without Function; unset, it compiles with it", async () => {
  delete (globalThis as Shared).__zod_globalConfig;
  jitlessZod();
  const { z } = await import("zod");
  expect(z.config().jitless).toBe(true);
  expect((globalThis as Shared).__zod_globalConfig).toBe(z.config());

  // What the setting is for: no Function (the eval the CSP refuses) while schemas are built and used.
  const realFunction = globalThis.Function;
  const calls: unknown[][] = [];
  globalThis.Function = new Proxy(realFunction, {
    construct: (target, args) => (calls.push(args), Reflect.construct(target, args)),
    apply: (target, self, args) => (calls.push(args), Reflect.apply(target, self, args)),
  });
  try {
    const jitless = z.object({ a: z.string(), b: z.number() });
    expect(jitless.safeParse({ a: "x", b: 1 }).success).toBe(true);
    expect(jitless.safeParse({ a: 1, b: 1 }).success).toBe(false);
    expect(calls).toEqual([]);
    // Control: with the setting off, zod does compile with Function, which this spy sees.
    const shared = (globalThis as Shared).__zod_globalConfig;
    if (shared) shared.jitless = false;
    const compiled = z.object({ c: z.string(), d: z.number() });
    for (let i = 0; i < 3; i++) expect(compiled.safeParse({ c: "x", d: i }).success).toBe(true);
    expect(calls.length).toBeGreaterThan(0);
  } finally {
    globalThis.Function = realFunction;
    jitlessZod();
  }
});
