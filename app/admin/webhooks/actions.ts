"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { db } from "@/db/client";
import { validatedActionWithUser } from "@/lib/actions/validated-action";
import { formatDateTime } from "@/lib/format";
import { editEndpointFormData, enableEndpointForm, endpointFormData, endpointIdForm, recoverForm, resendForm } from "@/lib/webhooks/endpoint-form";
import {
  createWebhookEndpoint,
  recoverFailedDeliveries,
  removeWebhookEndpoint,
  resendDelivery,
  rotateWebhookSecret,
  sendTestEvent,
  setWebhookEndpointEnabled,
  updateWebhookEndpoint,
} from "@/lib/webhooks/manage";

// The wrapper refuses other roles early; manage.ts checks again (admins only), for every caller.
const ADMINS = ["admin"] as const;

const revalidate = (id?: string) => {
  revalidatePath("/admin/webhooks");
  if (id) revalidatePath(`/admin/webhooks/${id}`, "layout");
};

/** Add: the secret travels only in this response, to the dialog that shows it once. */
export const addWebhookEndpointAction = validatedActionWithUser(
  endpointFormData,
  async (input, actor) => {
    const { endpoint, secret } = await createWebhookEndpoint(db, actor, input);
    revalidate();
    return {
      ok: true,
      id: endpoint.id,
      message: `Added ${endpoint.name}. Copy its signing secret now.`,
      revealedWebhookSecret: { endpointId: endpoint.id, name: endpoint.name, secret },
    };
  },
  { roles: ADMINS, stepUp: true },
);

export const editWebhookEndpointAction = validatedActionWithUser(
  editEndpointFormData,
  async ({ id, ...input }, actor) => {
    const endpoint = await updateWebhookEndpoint(db, actor, id, input);
    revalidate(id);
    return { ok: true, id, message: `Saved ${endpoint.name}. New events are sent with these settings.` };
  },
  { roles: ADMINS, stepUp: true },
);

export const setWebhookEndpointEnabledAction = validatedActionWithUser(
  enableEndpointForm,
  async ({ id, enabled }, actor) => {
    const endpoint = await setWebhookEndpointEnabled(db, actor, id, enabled);
    revalidate(id);
    return {
      ok: true,
      id,
      message: enabled
        ? `Enabled ${endpoint.name}. New events are sent to it again; use Recover to resend the ones that failed meanwhile.`
        : `Disabled ${endpoint.name}. No events are sent to it until you enable it.`,
    };
  },
  // Enabling starts sending consumers' data to the endpoint's URL again: as privileged as editing it.
  { roles: ADMINS, stepUp: true },
);

export const rotateWebhookSecretAction = validatedActionWithUser(
  endpointIdForm,
  async ({ id }, actor) => {
    const { endpoint, secret } = await rotateWebhookSecret(db, actor, id);
    revalidate(id);
    const until = endpoint.previousSecretExpiresAt;
    return {
      ok: true,
      id,
      message: `Rotated the signing secret of ${endpoint.name}.`,
      revealedWebhookSecret: { endpointId: id, name: endpoint.name, secret, previousValidUntil: until ? formatDateTime(until) : undefined },
    };
  },
  { roles: ADMINS, stepUp: true },
);

export const sendTestEventAction = validatedActionWithUser(
  endpointIdForm,
  async ({ id }, actor) => {
    const { eventId } = await sendTestEvent(db, actor, id);
    revalidate(id);
    return { ok: true, id, message: `Test event ${eventId} queued. Its attempt shows in the delivery log within seconds; reload the log to see it.` };
  },
  { roles: ADMINS },
);

export const removeWebhookEndpointAction = validatedActionWithUser(
  endpointIdForm,
  async ({ id }, actor) => {
    await removeWebhookEndpoint(db, actor, id);
    revalidatePath("/admin/webhooks");
    // Its page is gone: back to the list, which says so.
    redirect("/admin/webhooks?removed=1");
  },
  { roles: ADMINS },
);

export const resendDeliveryAction = validatedActionWithUser(
  resendForm,
  async ({ id, deliveryId }, actor) => {
    const delivery = await resendDelivery(db, actor, deliveryId);
    revalidate(delivery.endpointId);
    return { ok: true, id, message: "Resent: the message is being attempted again at once, with the same webhook-id. Reload to see the attempt." };
  },
  { roles: ADMINS },
);

export const recoverFailedDeliveriesAction = validatedActionWithUser(
  recoverForm,
  async ({ id, since }, actor) => {
    const count = await recoverFailedDeliveries(db, actor, id, since);
    revalidate(id);
    return {
      ok: true,
      id,
      message:
        count === 0
          ? `No failed messages since ${formatDateTime(since)}: nothing to recover.`
          : `Recovering ${count} failed ${count === 1 ? "message" : "messages"} since ${formatDateTime(since)}: each is attempted again at once.`,
    };
  },
  { roles: ADMINS },
);
