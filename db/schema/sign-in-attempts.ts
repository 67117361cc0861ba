import { bigserial, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

// One row per sign-in link handed out (lib/auth/sign-in-limits.ts), kept for an hour: the limits
// per address and per client IP are counted here, so every instance shares them.
export const signInAttempts = pgTable(
  "sign_in_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    // SHA-256 of the inbox (lower case, "+tag" dropped): the limit needs equality, not the address.
    addressHash: text().notNull(),
    // the client's IPv4 address or IPv6 /64 (lib/net/ip-limit-key.ts)
    ip: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // the per-address and per-IP counts over the last hour
    index("sign_in_attempts_address_idx").on(t.addressHash, t.createdAt),
    index("sign_in_attempts_ip_idx").on(t.ip, t.createdAt),
    // purging rows older than the longest window
    index("sign_in_attempts_created_idx").on(t.createdAt),
  ],
);
