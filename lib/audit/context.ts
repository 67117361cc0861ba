import { AsyncLocalStorage } from "node:async_hooks";

/**
 * "From where" for audit events: the server action wrapper runs each action inside this context
 * with the caller's address, and every audit insert reads it, so no domain function has to pass it.
 */
const storage = new AsyncLocalStorage<{ ip: string | null }>();

export const withAuditContext = <T>(context: { ip: string | null }, fn: () => Promise<T>) => storage.run(context, fn);

export const auditIp = () => storage.getStore()?.ip ?? null;

/** The client address as the nearest proxy reports it (first X-Forwarded-For entry, or X-Real-IP). */
export function clientIp(headers: Headers) {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || headers.get("x-real-ip")?.trim() || null;
  return ip && ip.length <= 64 ? ip : null;
}
