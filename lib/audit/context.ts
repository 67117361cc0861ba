import { AsyncLocalStorage } from "node:async_hooks";

/**
 * "From where" for audit events: the server action wrapper runs each action inside this context
 * with the caller's address, and every audit insert reads it, so no domain function has to pass it.
 */
const storage = new AsyncLocalStorage<{ ip: string | null }>();

export const withAuditContext = <T>(context: { ip: string | null }, fn: () => Promise<T>) => storage.run(context, fn);

export const auditIp = () => storage.getStore()?.ip ?? null;
