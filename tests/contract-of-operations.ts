import { apiDocument } from "@/lib/api/document";
import type { Operation } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import { type ApiDocument, responseValidator } from "./contract";

// Apart from tests/contract.ts so e2e specs can use the validator without loading the operations
// (Playwright's loader cannot resolve the next/cache import some operations make).
let cached: ReturnType<typeof responseValidator> | undefined;
/** The validator of the current operations' document (built once per test file). */
export function contractValidator(ops: readonly Operation[] = operations) {
  if (ops !== operations) return responseValidator(apiDocument(ops, "http://portal.test") as unknown as ApiDocument);
  cached ??= responseValidator(apiDocument(operations, "http://portal.test") as unknown as ApiDocument);
  return cached;
}
