/**
 * The audit log's actions in people's words, grouped as the filter lists them. The codes stay the
 * URL's and the export's vocabulary (and the API's); a code missing here reads as itself, spaced.
 */
export const AUDIT_ACTION_GROUPS: readonly { group: string; actions: Readonly<Record<string, string>> }[] = [
  {
    group: "Access requests",
    actions: {
      "request.submitted": "Request submitted",
      "request.approval_recorded": "Approval recorded (more needed)",
      "request.approved": "Request approved",
      "request.denied": "Request denied",
      "request.cancelled": "Request cancelled",
      "request.available": "Key claimed",
      "request.revoked": "Access revoked",
      "request.part_revoked": "Access revoked for some products",
      "request.product_revoked": "Access to an archived product revoked",
      "request.expired": "Access expired",
      "request.completed": "Access given up (checked in)",
      "request.extension_asked": "Extension asked for",
      "request.extended": "Access extended",
      "request.resubmitted": "Request resubmitted",
      "request.removed": "Request removed from the list",
      "request.claim_link_sent": "New claim link sent",
      "request.reviewed": "Decision reviewed",
      "request.auto_approve_withheld": "Automatic approval withheld",
      "request.redirected": "Sent to a third party to confirm",
      "request.handoff_timed_out": "Third party did not decide in time",
    },
  },
  {
    group: "Keys",
    actions: {
      "key.created": "Key issued",
      "key.rolled": "Key rolled",
      "key.revoked": "Key revoked",
      "key.expired": "Key expired",
      "key.expiring": "Expiry reminder sent",
      "key.ended": "Key stopped working",
      "key.checked_in": "Key given up",
      "keys.imported": "Keys imported",
    },
  },
  {
    group: "OAuth 2.0 clients",
    actions: {
      "oauth_client.created": "OAuth client claimed",
      "oauth_client.rolled": "Client secret rolled",
      "oauth_client.key_registered": "Client public key registered",
      "oauth_client.checked_in": "OAuth client given up",
      "oauth_client.revoked": "OAuth client revoked",
    },
  },
  {
    group: "Apps",
    actions: { "app.created": "App created", "app.updated": "App changed", "app.deleted": "App deleted" },
  },
  {
    group: "Products and plans",
    actions: {
      "product.created": "Product created",
      "product.updated": "Product changed",
      "product.published": "Product published",
      "product.unpublished": "Product back to draft",
      "product.archived": "Product archived",
      "product.restored": "Product restored",
      "plan.created": "Plan created",
      "plan.updated": "Plan changed",
    },
  },
  {
    group: "People",
    actions: { "user.role_changed": "Role changed", "user.disabled": "Person disabled", "user.enabled": "Person enabled" },
  },
  {
    group: "Second factor",
    actions: {
      "second_factor.set_up": "Authenticator set up",
      "second_factor.removed": "Authenticator removed",
      "second_factor.reset": "Authenticator reset by an admin",
      "second_factor.locked": "Authenticator locked after wrong codes",
      "second_factor.replay_refused": "A used code was refused",
      "second_factor.succeeded_after_failures": "Right code after wrong ones",
      "second_factor.recovery_code_used": "Recovery code used",
      "second_factor.recovery_codes_replaced": "Recovery codes replaced",
      "security_policy.changed": "Sign-in policy changed",
    },
  },
  {
    group: "Integrations and email",
    actions: {
      "api_access_key.created": "API access key added",
      "api_access_key.updated": "API access key changed",
      "api_access_key.removed": "API access key removed",
      "webhook_endpoint.created": "Webhook endpoint added",
      "webhook_endpoint.updated": "Webhook endpoint changed",
      "webhook_endpoint.enabled": "Webhook endpoint enabled",
      "webhook_endpoint.disabled": "Webhook endpoint disabled",
      "webhook_endpoint.removed": "Webhook endpoint removed",
      "webhook_endpoint.secret_rotated": "Webhook secret rotated",
      "webhook_endpoint.message_resent": "Webhook message resent",
      "webhook_endpoint.recovered": "Failed webhook messages resent",
      "email_subject.updated": "Email subject changed",
      "branding.updated": "Branding changed",
      "email.retried": "Email retried",
    },
  },
];

const WORDS: Record<string, string> = Object.assign({}, ...AUDIT_ACTION_GROUPS.map((g) => g.actions));

/** "user.role_changed" → "Role changed"; an unknown code → "role changed" (never blank). */
export function auditActionWords(action: string) {
  return Object.hasOwn(WORDS, action) ? (WORDS[action] ?? action) : action.replace(/^[a-z_]+\./, "").replaceAll("_", " ");
}
