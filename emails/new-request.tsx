import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";

export type NewRequestEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  reason: string;
  /** The requester's answers to the plan's questions, in the plan's order. */
  answers?: { label: string; value: string }[];
  approvalsRequired: number;
  url: string;
  /** Set when an External plan's third party did not decide in time and the request fell back to people. */
  handoff?: { endpointName: string; timeoutHours: number; endpointGone?: boolean };
  /** Set when the request asks for more time on access the requester already has (Extend). */
  extension?: { expiresAt: string; days: number };
};

export function NewRequestEmail(p: NewRequestEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} greet={p.recipientName} preview={`${p.requesterName} requests ${p.planName} access`}>
      <Text>
        {p.requesterName} asks for {p.planName} access to {p.productNames.join(", ")} for the app “{p.appName}”.
      </Text>
      {p.extension ? (
        <Text>
          {`This is an extension: the access expires on ${p.extension.expiresAt}, and approving it adds ${p.extension.days} days. The same key keeps working; no new key is issued.`}
        </Text>
      ) : null}
      {p.handoff ? (
        <Text>
          {p.handoff.endpointGone
            ? `This plan hands requests to ${p.handoff.endpointName}, which was disabled or removed before it decided this one. It now waits for an approver.`
            : `This plan hands requests to ${p.handoff.endpointName}, which did not decide this one within ${p.handoff.timeoutHours} hours. It now waits for an approver.`}
        </Text>
      ) : null}
      <Text className="pt-quote" style={{ borderLeft: "3px solid #d4d4d8", paddingLeft: 12, color: "#3f3f46" }}>{p.reason}</Text>
      {p.answers && p.answers.length > 0 ? (
        <Section>
          <Text style={{ fontWeight: 600, margin: "16px 0 4px" }}>Their answers</Text>
          {p.answers.map((a) => (
            <Text key={a.label} style={{ margin: "0 0 8px" }}>
              <span style={{ color: "#52525b" }}>{`${a.label}: `}</span>
              {a.value || "—"}
            </Text>
          ))}
        </Section>
      ) : null}
      {p.approvalsRequired > 1 ? (
        <Text>{`This plan needs ${p.approvalsRequired} approvals from different approvers.`}</Text>
      ) : null}
      <PrimaryButton brand={p.brand} href={p.url}>
        Review the request
      </PrimaryButton>
    </EmailLayout>
  );
}

NewRequestEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API", "Invoices API"],
  reason: "We are moving our checkout to your payments platform.",
  answers: [
    { label: "Company", value: "Acme Ltd" },
    { label: "Expected calls per day", value: "About 20,000" },
  ],
  approvalsRequired: 1,
  url: "http://localhost:3000/admin/requests/00000000-0000-4000-8000-000000000000",
} satisfies NewRequestEmailProps;

export default NewRequestEmail;
