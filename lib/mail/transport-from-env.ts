import { env } from "@/lib/env";
import { outboxTransport, resendTransport, type Transport } from "./transport";

export function transportFromEnv(): Transport {
  return env.resend ? resendTransport(env.resend.apiKey) : outboxTransport;
}
