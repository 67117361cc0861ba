import { expect, it } from "vitest";
import { jitlessZod } from "./zod-jitless";

it("sets zod's own config: set before zod loads, z.config() reads jitless, and parsing still works", async () => {
  delete (globalThis as { __zod_globalConfig?: unknown }).__zod_globalConfig;
  jitlessZod();
  const { z } = await import("zod");
  expect(z.config().jitless).toBe(true);
  // the same object both ways: set after zod has loaded, too
  const shared = (globalThis as { __zod_globalConfig?: { jitless?: boolean } }).__zod_globalConfig;
  expect(shared).toBe(z.config());
  if (shared) shared.jitless = false;
  expect(z.config().jitless).toBe(false);
  jitlessZod();
  expect(z.config().jitless).toBe(true);
  expect(z.object({ a: z.string() }).safeParse({ a: "x" }).success).toBe(true);
  expect(z.object({ a: z.string() }).safeParse({ a: 1 }).success).toBe(false);
});
