import { env } from "@/lib/env";
import { outboxTransport, resendTransport, type Transport } from "./transport";

export function transportFromEnv(): Transport {
  return env.resend ? resendTransport(env.resend.apiKey) : outboxTransport;
}

/** The dev mailbox exists only while mail stays local. */
export const devMailboxEnabled = () => env.devMailbox;
