import { Fragment } from "react";
import { type LabelPart, typedList } from "@/lib/label-parts";
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

/**
 * Names people typed, in a sentence: "Payments API, Invoices API", each its own EmailText (a <bdi>
 * that also keeps an address whole).
 */
export function TypedList({ names }: { names: readonly string[] }) {
  return <LabelParts parts={typedList(names)} />;
}
