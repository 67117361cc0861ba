import { Link } from "@react-email/link";
import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";

export type RequestApprovedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  requestUrl: string;
  /** One-time link to reveal the key (never the key itself). */
  claimUrl: string;
  availableFrom: string | null;
  /**
   * What the link yields: an API key, or for an OAuth 2.0 product's request an OAuth client (its id
   * and secret). Emails queued before this prop existed were all for keys.
   */
  credential?: "key" | "client";
};

/** "key" or "OAuth client", for the email's words and its subject. */
export const credentialWord = (p: Pick<RequestApprovedEmailProps, "credential">) => (p.credential === "client" ? "OAuth client" : "key");

export function RequestApprovedEmail(p: RequestApprovedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Approved: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your ${p.planName} request for ${p.productNames.join(", ")} (app “${p.appName}”) was approved.`}
      </Text>
      <ClaimSteps {...p} />
    </EmailLayout>
  );
}

/** A claim link the requester asked for again from the request page; the earlier link is dead. */
export function NewClaimLinkEmail(p: RequestApprovedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Your new link to claim your ${credentialWord(p)} for ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Here is the new link you asked for, to claim your ${credentialWord(p)} for ${p.productNames.join(", ")} (app “${p.appName}”). Any link sent before no longer works.`}
      </Text>
      <ClaimSteps {...p} />
    </EmailLayout>
  );
}

function ClaimSteps(p: RequestApprovedEmailProps & Branded) {
  return (
    <>
      {p.availableFrom ? (
        <Text>{`Your access starts on ${p.availableFrom}; the link below works from then.`}</Text>
      ) : null}
      {p.credential === "client" ? (
        <Text>
          Open the link below, sign in as yourself, and choose Create OAuth client to get your app&apos;s client ID and
          client secret. The secret is shown once.
        </Text>
      ) : (
        <Text>Open the link below, sign in as yourself, and choose Generate key to see your API key. The key is shown once.</Text>
      )}
      <PrimaryButton brand={p.brand} href={p.claimUrl}>
        {p.credential === "client" ? "Create your OAuth client" : "Generate your key"}
      </PrimaryButton>
      <Text style={{ fontSize: 13, color: "#52525b" }}>
        The link works once. If it has expired, send yourself a new one from the request page:{" "}
        <Link href={p.requestUrl}>{p.requestUrl}</Link>
      </Text>
    </>
  );
}

RequestApprovedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
  claimUrl: "http://localhost:3000/claim/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  availableFrom: null,
} satisfies RequestApprovedEmailProps;

export type RequestDeniedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  comment: string | null;
  requestUrl: string;
};

export function RequestDeniedEmail(p: RequestDeniedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Denied: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your ${p.planName} request for ${p.productNames.join(", ")} (app “${p.appName}”) was denied.`}
      </Text>
      {p.comment ? (
        <Text style={{ borderLeft: "3px solid #d4d4d8", paddingLeft: 12, color: "#3f3f46" }}>{p.comment}</Text>
      ) : null}
      <Text>You can resubmit it from My requests once you have addressed the reason.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open the request
      </PrimaryButton>
    </EmailLayout>
  );
}

RequestDeniedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Enterprise",
  productNames: ["Payments API"],
  comment: "Please tell us the expected monthly volume.",
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
} satisfies RequestDeniedEmailProps;

export type RequestCancelledEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  /** Who cancelled it: the third party's API access key, or an approver. */
  cancelledBy: string;
  comment: string | null;
  requestUrl: string;
};

/** A request cancelled by someone other than the requester (the third party a plan hands it to). */
export function RequestCancelledEmail(p: RequestCancelledEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Cancelled: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your ${p.planName} request for ${p.productNames.join(", ")} (app “${p.appName}”) was cancelled by ${p.cancelledBy}. No key will be issued for it.`}
      </Text>
      {p.comment ? (
        <Text style={{ borderLeft: "3px solid #d4d4d8", paddingLeft: 12, color: "#3f3f46" }}>{p.comment}</Text>
      ) : null}
      <Text>If you still need access, submit a new request from the catalogue.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open the request
      </PrimaryButton>
    </EmailLayout>
  );
}

RequestCancelledEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Pay as you go",
  productNames: ["Payments API"],
  cancelledBy: "Billing system",
  comment: "The checkout was abandoned.",
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
} satisfies RequestCancelledEmailProps;
