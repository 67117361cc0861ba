import { Fragment } from "react";
import type { LabelPart } from "@/lib/audit/subject-names";
import { EmailText } from "./email-text";

/**
 * A label of the portal's words and what people typed ("Dana Cohen (dana@example.com)", "Payments API
 * for Acme App"): each typed piece is its own <bdi> (EmailText, which also breaks an address only
 * before its "@"), so a right-to-left name, or an override character in one, reorders nothing but
 * itself. Isolating the whole label instead gave it the direction of its first letter: a Hebrew name
 * put the address, and the portal's own words, before it.
 */
export function LabelParts({ parts }: { parts: readonly LabelPart[] }) {
  return parts.map((part, i) => (typeof part === "string" ? <Fragment key={i}>{part}</Fragment> : <EmailText key={i} text={part.typed} />));
}

/** Names people typed, in a sentence: "Payments API, Invoices API", each its own <bdi>. */
export function TypedList({ names }: { names: readonly string[] }) {
  return names.map((name, i) => (
    <Fragment key={i}>
      {i ? ", " : null}
      <bdi>{name}</bdi>
    </Fragment>
  ));
}
