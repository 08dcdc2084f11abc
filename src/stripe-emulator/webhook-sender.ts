/**
 * Events as Stripe sends them: an `event` object POSTed as JSON to the
 * endpoint, signed in `Stripe-Signature: t=<seconds>,v1=<HMAC-SHA256 of
 * "<t>.<body>" with the endpoint secret>`. Sent after the change that made them,
 * one at a time in order, each tried once (failures are kept for tests to see).
 */
import { createHmac } from 'node:crypto';
import { newId, type StripeObject } from './emulator-state.ts';

export interface WebhookSender {
  emit(type: string, object: StripeObject): void;
  /** Resolves when every event emitted so far has been delivered (or has failed). */
  settled(): Promise<void>;
  /** Events sent so far, with the status the endpoint answered (0: unreachable). */
  deliveries(): ReadonlyArray<{ event: StripeObject; status: number }>;
  /** Sends an event again, exactly as before (Stripe retries the same event id). */
  resend(eventId: string): Promise<number>;
}

export interface WebhookSenderOptions {
  endpoint: () => string | null;
  secret: string;
  apiVersion: string;
  nowSeconds: () => number;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
}

export function createWebhookSender({ endpoint, secret, apiVersion, nowSeconds }: WebhookSenderOptions): WebhookSender {
  let queue: Promise<void> = Promise.resolve();
  const sent: Array<{ event: StripeObject; status: number }> = [];

  async function deliver(event: StripeObject): Promise<number> {
    const url = endpoint();
    if (!url) return 0;
    const payload = JSON.stringify(event, null, 2);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signPayload(payload, secret, nowSeconds()), 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  return {
    emit(type, object) {
      // A snapshot now: later changes to the object are later events.
      const event: StripeObject = { id: newId('evt'), object: 'event', api_version: apiVersion, created: nowSeconds(), type, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object: structuredClone(object) } };
      queue = queue.then(async () => {
        sent.push({ event, status: await deliver(event) });
      });
    },
    settled: () => queue,
    deliveries: () => sent,
    async resend(eventId) {
      const found = sent.find((delivery) => delivery.event.id === eventId);
      if (!found) throw new Error(`no event ${eventId}`);
      return deliver(found.event);
    },
  };
}
