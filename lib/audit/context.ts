import { AsyncLocalStorage } from "node:async_hooks";

/**
 * "From where" for audit events: the server action wrapper runs each action inside this context
 * with the caller's address, and every audit insert reads it, so no domain function has to pass it.
 */
type AuditContext = {
  ip: string | null;
  /** The action asked for a second-factor code and had one from this moment: its events say so. */
  steppedUpAt?: Date | null;
};
const storage = new AsyncLocalStorage<AuditContext>();

export const withAuditContext = <T>(context: AuditContext, fn: () => Promise<T>) => storage.run(context, fn);

export const auditIp = () => storage.getStore()?.ip ?? null;
export const auditSteppedUpAt = () => storage.getStore()?.steppedUpAt ?? null;
