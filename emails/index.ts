import type { ReactElement } from "react";
import {
  NewClaimLinkEmail,
  credentialWord,
  RequestApprovedEmail,
  RequestCancelledEmail,
  type RequestCancelledEmailProps,
  type RequestApprovedEmailProps,
  RequestDeniedEmail,
  type RequestDeniedEmailProps,
} from "./request-decided";
import {
  KeyExpiredEmail,
  type KeyExpiredEmailProps,
  KeyExpiringEmail,
  type KeyExpiringEmailProps,
  KeyRevokedEmail,
  type KeyRevokedEmailProps,
  KeyRolledEmail,
  type KeyRolledEmailProps,
} from "./key-events";
import {
  ExtensionApprovedEmail,
  type ExtensionApprovedEmailProps,
  ExtensionDeniedEmail,
  type ExtensionDeniedEmailProps,
} from "./extension-decided";
import { KeyReminderDigestEmail, type KeyReminderDigestEmailProps, digestSubjectKeys } from "./key-reminder-digest";
import { AccountDisabledEmail, type AccountDisabledEmailProps } from "./account-disabled";
import { ApiAccessKeyExpiringEmail, type ApiAccessKeyExpiringEmailProps } from "./api-access-key-expiring";
import { NewRequestEmail, type NewRequestEmailProps } from "./new-request";
import {
  SecondFactorChangedEmail,
  type SecondFactorChangedEmailProps,
  SecondFactorLockedEmail,
  type SecondFactorLockedEmailProps,
  SecondFactorResetEmail,
  type SecondFactorResetEmailProps,
} from "./second-factor";
import { SignInEmail, type SignInEmailProps } from "./sign-in";
import { RequestReceivedEmail, type RequestReceivedEmailProps } from "./request-received";
import { type Branded, brandName } from "./brand";
import { WebhookEndpointDisabledEmail, WebhookEndpointFailingEmail, type WebhookEndpointFailingEmailProps } from "./webhook-endpoint";

type Template<P> = {
  /** Also given `brand` and `recipientName` (emails/brand.ts), filled in by lib/mail. */
  render: (props: P & Branded) => ReactElement;
  /** Subject pattern; `{name}` placeholders come from `subjectVars`. Admins may override it. */
  defaultSubject: string;
  subjectVars: (props: P) => Record<string, string>;
  previewProps: P;
  /** Props that grant access (links with tokens): stored sealed, opened only to render. */
  secretProps?: readonly (keyof P & string)[];
};

/** Every subject may also use `{portal}`, the portal's name (Admin → Branding). */
function template<P>(t: Template<P>): Template<P> {
  return { ...t, subjectVars: (p) => ({ portal: brandName(p as P & Branded), ...t.subjectVars(p) }) };
}

/** Every email Portico sends. Bodies are code; subjects may be overridden by admins later. */
export const templates = {
  "sign-in": template<SignInEmailProps>({
    render: (p) => SignInEmail(p),
    // The portal's name, never a bare host such as "127.0.0.1:3100"; {host} stays for overrides.
    defaultSubject: "Sign in to {portal}",
    subjectVars: (p) => ({ host: p.host }),
    previewProps: SignInEmail.PreviewProps,
    secretProps: ["url"],
  }),
  "new-request": template<NewRequestEmailProps>({
    render: (p) => NewRequestEmail(p),
    defaultSubject: "New access request: {products} ({plan})",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName, requester: p.requesterName }),
    previewProps: NewRequestEmail.PreviewProps,
  }),
  "request-received": template<RequestReceivedEmailProps>({
    render: (p) => RequestReceivedEmail(p),
    defaultSubject: "We received your request for {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: RequestReceivedEmail.PreviewProps,
  }),
  approved: template<RequestApprovedEmailProps>({
    render: (p) => RequestApprovedEmail(p),
    defaultSubject: "Approved: {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: RequestApprovedEmail.PreviewProps,
    secretProps: ["claimUrl"],
  }),
  "claim-link": template<RequestApprovedEmailProps>({
    render: (p) => NewClaimLinkEmail(p),
    defaultSubject: "Your new link to claim your {credential}: {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName, credential: credentialWord(p) }),
    previewProps: RequestApprovedEmail.PreviewProps,
    secretProps: ["claimUrl"],
  }),
  reject: template<RequestDeniedEmailProps>({
    render: (p) => RequestDeniedEmail(p),
    defaultSubject: "Denied: {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: RequestDeniedEmail.PreviewProps,
  }),
  "extension-approved": template<ExtensionApprovedEmailProps>({
    render: (p) => ExtensionApprovedEmail(p),
    defaultSubject: "Extended: your key for {products} now expires on {expires}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName, expires: p.expiresAt }),
    previewProps: ExtensionApprovedEmail.PreviewProps,
  }),
  "extension-denied": template<ExtensionDeniedEmailProps>({
    render: (p) => ExtensionDeniedEmail(p),
    defaultSubject: "Extension denied: {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: ExtensionDeniedEmail.PreviewProps,
  }),
  cancelled: template<RequestCancelledEmailProps>({
    render: (p) => RequestCancelledEmail(p),
    defaultSubject: "Cancelled: {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: RequestCancelledEmail.PreviewProps,
  }),
  revoked: template<KeyRevokedEmailProps>({
    render: (p) => KeyRevokedEmail(p),
    defaultSubject: "Access revoked: {products}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: KeyRevokedEmail.PreviewProps,
  }),
  expired: template<KeyExpiredEmailProps>({
    render: (p) => KeyExpiredEmail(p),
    defaultSubject: "Your key for {products} expired",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: KeyExpiredEmail.PreviewProps,
  }),
  "key-expiring": template<KeyExpiringEmailProps>({
    render: (p) => KeyExpiringEmail(p),
    defaultSubject: "Your key for {products} expires {expires}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName, expires: p.expiresAt }),
    previewProps: KeyExpiringEmail.PreviewProps,
  }),
  "key-reminder-digest": template<KeyReminderDigestEmailProps>({
    render: (p) => KeyReminderDigestEmail(p),
    defaultSubject: "Reminder: {keys} expiring soon",
    subjectVars: (p) => ({ keys: digestSubjectKeys(p.keys), count: String(p.keys.length) }),
    previewProps: KeyReminderDigestEmail.PreviewProps,
  }),
  "key-rolled": template<KeyRolledEmailProps>({
    render: (p) => KeyRolledEmail(p),
    defaultSubject: "New API key for {app}",
    subjectVars: (p) => ({ products: p.productNames.join(", "), plan: p.planName, app: p.appName }),
    previewProps: KeyRolledEmail.PreviewProps,
  }),
  "account-disabled": template<AccountDisabledEmailProps>({
    render: (p) => AccountDisabledEmail(p),
    defaultSubject: "Your {portal} account was disabled",
    subjectVars: (p) => ({ requester: p.requesterName }),
    previewProps: AccountDisabledEmail.PreviewProps,
  }),
  "api-access-key-expiring": template<ApiAccessKeyExpiringEmailProps>({
    render: (p) => ApiAccessKeyExpiringEmail(p),
    defaultSubject: "API access key {key} expires {expires}",
    subjectVars: (p) => ({ key: p.keyName, expires: p.expiresAt }),
    previewProps: ApiAccessKeyExpiringEmail.PreviewProps,
  }),
  "webhook-failing": template<WebhookEndpointFailingEmailProps>({
    render: (p) => WebhookEndpointFailingEmail(p),
    defaultSubject: "Webhook endpoint {endpoint} is failing and will be disabled {disable}",
    subjectVars: (p) => ({ endpoint: p.endpointName, disable: p.disableAt }),
    previewProps: WebhookEndpointFailingEmail.PreviewProps,
  }),
  "webhook-disabled": template<WebhookEndpointFailingEmailProps>({
    render: (p) => WebhookEndpointDisabledEmail(p),
    defaultSubject: "Webhook endpoint {endpoint} was disabled",
    subjectVars: (p) => ({ endpoint: p.endpointName, disable: p.disableAt }),
    previewProps: WebhookEndpointDisabledEmail.PreviewProps,
  }),
  "second-factor-locked": template<SecondFactorLockedEmailProps>({
    render: (p) => SecondFactorLockedEmail(p),
    defaultSubject: "Your authenticator was locked after 5 wrong codes",
    subjectVars: (p) => ({ until: p.lockedUntil }),
    previewProps: SecondFactorLockedEmail.PreviewProps,
  }),
  "second-factor-changed": template<SecondFactorChangedEmailProps>({
    render: (p) => SecondFactorChangedEmail(p),
    defaultSubject: "Authenticator {change} on your {portal} account",
    subjectVars: (p) => ({ change: p.change }),
    previewProps: SecondFactorChangedEmail.PreviewProps,
  }),
  "second-factor-reset": template<SecondFactorResetEmailProps>({
    render: (p) => SecondFactorResetEmail(p),
    defaultSubject: "Your authenticator was reset by {admin}",
    subjectVars: (p) => ({ admin: p.adminName }),
    previewProps: SecondFactorResetEmail.PreviewProps,
  }),
};

export type TemplateName = keyof typeof templates;
export type TemplateProps<N extends TemplateName> = Parameters<(typeof templates)[N]["render"]>[0];
export const templateNames = Object.keys(templates) as TemplateName[];

export { renderSubject } from "./subject";

/** The `{name}` placeholders a template's subject may use. */
export function subjectPlaceholders(name: TemplateName): string[] {
  const t = templates[name] as unknown as { subjectVars: (p: unknown) => Record<string, string>; previewProps: unknown };
  return Object.keys(t.subjectVars(t.previewProps));
}

export const templateLabels: Record<TemplateName, string> = {
  "sign-in": "Sign-in link",
  "new-request": "New request (to approvers)",
  "request-received": "We received your request (to the requester, on submit)",
  approved: "Request approved",
  "claim-link": "New claim link (asked for by the requester)",
  reject: "Request denied",
  "extension-approved": "Extension approved (the same key expires later)",
  "extension-denied": "Extension denied",
  cancelled: "Request cancelled (by a third party or an approver)",
  revoked: "Access revoked",
  expired: "Key expired",
  "key-expiring": "Key expiring soon (single key; no longer sent, replaced by the reminder digest)",
  "key-reminder-digest": "Keys expiring soon (a daily digest of reminders, per the plan's schedule)",
  "key-rolled": "Key rolled",
  "account-disabled": "Account disabled (summary of ended requests)",
  "api-access-key-expiring": "API access key expiring soon (to the admin who added it)",
  "webhook-failing": "Webhook endpoint failing, disabled in a day (to admins)",
  "webhook-disabled": "Webhook endpoint disabled after 5 days of failures (to admins)",
  "second-factor-locked": "Authenticator locked after 5 wrong codes (to its owner)",
  "second-factor-changed": "Authenticator added or removed (to its owner)",
  "second-factor-reset": "Authenticator reset by an admin (to its owner)",
};
