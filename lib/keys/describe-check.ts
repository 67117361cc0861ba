import { formatDateTime } from "@/lib/format";
import type { CheckResult } from "./check-key";

/** What the Check form shows: a verdict and its facts, as plain strings (the key itself never). */
export type CheckView = {
  tone: "green" | "amber" | "red" | "neutral";
  title: string;
  facts: { label: string; value: string; href?: string }[];
};

const at = (d: Date | null) => (d ? formatDateTime(d) : "never");

/** `appName`: the app the consumer checked against (the app page); absent on the keys page. */
export function describeCheck(result: CheckResult, appName?: string): CheckView {
  if (!result.found) {
    if (result.reason === "not_portico") {
      return {
        tone: "neutral",
        title: appName
          ? `Not a key of ${appName}. It is not in Portico's format either: check that you pasted the whole key.`
          : "Not a Portico key: it is not in Portico's format and no imported key matches it. Check that you pasted the whole key.",
        facts: [],
      };
    }
    return {
      tone: "neutral",
      title: appName
        ? `Not a key of ${appName}. If it is one of your other apps' keys, check it on that app's page.`
        : "Portico has no such key. It may have been mistyped, or it was never issued here.",
      facts: [],
    };
  }
  const k = result.key;
  const facts: CheckView["facts"] = [];
  if (k.owner) {
    facts.push({ label: "App", value: `${k.owner.appName}${k.owner.appDeleted ? " (deleted)" : ""}` });
    facts.push({ label: "Consumer", value: k.owner.consumerEmail });
  }
  facts.push({ label: "Key", value: `${k.start}…${k.imported ? " (imported)" : ""}` });
  facts.push({ label: "Request", value: k.products.join(", ") || "No products", href: k.owner ? `/admin/requests/${k.requestId}` : `/requests/${k.requestId}` });
  facts.push({ label: "Plan", value: k.planName });
  facts.push({ label: "Valid from", value: at(k.validFrom) });
  facts.push({ label: "Expires", value: k.expiresAt ? at(k.expiresAt) : "never" });
  const whose = appName ? `${appName}'s` : "its app's";
  switch (k.state) {
    case "current":
      return { tone: "green", title: `This is ${whose} current key. It works.`, facts };
    case "not_yet":
      return { tone: "amber", title: `This is ${whose} key, but it works only from ${at(k.validFrom)}.`, facts };
    case "older_in_grace":
      return {
        tone: "amber",
        title: `An older key of ${appName ?? "its app"}: rolled ${at(k.rolledAt)}${k.replacedByStart ? `, replaced by ${k.replacedByStart}…` : ""}. It still works until ${at(k.endsAt)}: switch to the new key before then.`,
        facts,
      };
    case "older_stopped":
      return {
        tone: "neutral",
        title: `An older key of ${appName ?? "its app"}: rolled ${at(k.rolledAt)}${k.replacedByStart ? `, replaced by ${k.replacedByStart}…` : ""}. It stopped working ${at(k.endsAt)}.`,
        facts,
      };
    case "revoked":
      return {
        tone: "red",
        title: `Revoked ${at(k.revokedAt ?? k.endsAt)}${k.revokedReason ? `: “${k.revokedReason}”` : ""}. It no longer works.`,
        facts,
      };
    case "expired":
      return { tone: "neutral", title: `Expired ${at(k.expiresAt ?? k.endsAt)}. It no longer works; ask for access again from the catalogue.`, facts };
    case "checked_in":
      return { tone: "neutral", title: `Checked in ${at(k.endsAt)}. It no longer works.`, facts };
  }
}
