import { describe, expect, it } from "vitest";
import { ACTION_BODY_LIMIT, BodyTooLargeError, IMPORT_BODY_LIMIT, bodyLimitFor, readTextWithin } from "./body-limit";

/** A body of `total` bytes in 16 KiB chunks; `pulled` counts what the reader took. */
function body(total: number, delayMs = 0) {
  const seen = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (seen.pulled >= total) return c.close();
      seen.pulled += 16384;
      c.enqueue(new Uint8Array(16384).fill(97));
    },
  });
  return { stream, seen };
}

describe("readTextWithin", () => {
  it("reads a body within the limit", async () => {
    const { stream } = body(16384);
    expect(await readTextWithin(stream, 32768)).toHaveLength(16384);
  });

  it("refuses past the limit after reading the rest of a small upload away (no reset racing the 413)", async () => {
    const { stream, seen } = body(4 * 1024 * 1024);
    await expect(readTextWithin(stream, 8192)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(seen.pulled).toBe(4 * 1024 * 1024);
  });

  it("stops reading a huge upload after 16 MB and a slow one after 2 s", async () => {
    const huge = body(1024 * 1024 * 1024);
    await expect(readTextWithin(huge.stream, 8192)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(huge.seen.pulled).toBeLessThanOrEqual(16 * 1024 * 1024 + 3 * 16384);
    const slow = body(1024 * 1024 * 1024, 50);
    const started = Date.now();
    await expect(readTextWithin(slow.stream, 8192)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe("bodyLimitFor", () => {
  it("only the key import page takes more than the actions' 2 MB", () => {
    expect(bodyLimitFor("/admin/keys/import")).toBe(IMPORT_BODY_LIMIT);
    expect(IMPORT_BODY_LIMIT).toBe(6 * 1024 * 1024);
    for (const path of ["/admin/keys", "/admin/keys/import/", "/admin/keys/import/example", "/admin/products/new", "/apps/x"]) {
      expect(bodyLimitFor(path), path).toBe(ACTION_BODY_LIMIT);
    }
    expect(bodyLimitFor("/api/v1/keys")).toBe(64 * 1024);
  });
});
