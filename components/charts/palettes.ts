import type { UsageOutcome } from "@/db/schema";
import type { Decision } from "@/lib/usage/queries";
import type { SeriesStyle } from "./daily-bar-chart";

// Okabe–Ito colours: told apart with the common colour-vision deficiencies, and legible on the
// light and the dark background.
export const OUTCOME_STYLES: SeriesStyle<UsageOutcome> = {
  allowed: { label: "Allowed", color: "#009E73" },
  rate_limited: { label: "Rate limited", color: "#E69F00" },
  over_quota: { label: "Over quota", color: "#D55E00" },
  unknown_product: { label: "Not for that product", color: "#CC79A7" },
  expired: { label: "Expired key", color: "#56B4E9" },
  revoked: { label: "Revoked key", color: "#0072B2" },
};

export const DECISION_STYLES: SeriesStyle<Decision> = {
  approved: { label: "Approved", color: "#009E73" },
  auto_approved: { label: "Auto-approved", color: "#56B4E9" },
  denied: { label: "Denied", color: "#D55E00" },
};
