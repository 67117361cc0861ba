/**
 * When each attempt of one delivery is made, counted from the previous failed attempt: at once,
 * then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (8 attempts over about 28 hours).
 */
export const RETRY_DELAYS_MS: readonly number[] = [0, 5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];

/** Each attempt gives up after this long without a complete answer. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** The first bytes of an answer kept in the delivery log. */
export const RESPONSE_BYTES_KEPT = 4096;
/** An endpoint failing this long without one success is disabled; the admins are warned a day before. */
export const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;
export const WARN_AFTER_MS = DISABLE_AFTER_MS - 24 * 3_600_000;
/** Events and their delivery log are kept this long. */
export const RETENTION_DAYS = 30;
/** A rotated-out secret keeps signing (beside the new one) this long. */
export const PREVIOUS_SECRET_HOURS = 24;

/**
 * The schedule, or a compressed one for tests and local trials from PORTICO_WEBHOOK_RETRY_DELAYS
 * (comma-separated milliseconds, same length); never set it in production.
 */
export function retryDelays(env: NodeJS.ProcessEnv = process.env): readonly number[] {
  const raw = env.PORTICO_WEBHOOK_RETRY_DELAYS;
  if (!raw) return RETRY_DELAYS_MS;
  const parsed = raw.split(",").map((s) => Number(s.trim()));
  if (parsed.length !== RETRY_DELAYS_MS.length || parsed.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`PORTICO_WEBHOOK_RETRY_DELAYS must be ${RETRY_DELAYS_MS.length} comma-separated whole numbers of milliseconds.`);
  }
  return parsed;
}
