/**
 * Builders for billing tests: the service with billing on (the built-in Stripe
 * emulator behind the real stripe package), a licence change previewed and
 * confirmed through the Plans page's own forms, Stripe's records read with the
 * stripe package, and webhooks signed as Stripe signs them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import type { ConfigInput } from '../../src/lib/config/config.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';
import type { AgentResponse, TestAgent } from './test-agent.ts';

export const BILLING_ON: ConfigInput = { billing: { enabled: true, timeoutMs: 5000 } };

export async function startBillingServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ ...options, config: { ...BILLING_ON, ...(options.config ?? {}) } });
}

/** A hidden field's value in the first form of the page that has it. */
export function hiddenField(html: string, name: string): string | null {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  return match ? match[1]! : null;
}

/** The text of the first element carrying the data attribute, tags stripped. */
export function dataText(html: string, attribute: string): string | null {
  const match = new RegExp(`<[^>]*\\b${attribute}(?:="[^"]*")?[^>]*>([\\s\\S]*?)</`).exec(html);
  return match ? match[1]!.replace(/<[^>]+>/g, '').replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/\s+/g, ' ').trim() : null;
}

/** Previews a change through the Plans page's form; answers the page. */
export function previewChange(agent: TestAgent, change: Record<string, string>): Promise<AgentResponse> {
  return agent.post('/backend/plans/preview', change);
}

/** Previews, then confirms with the preview's own confirmation fields; answers the confirmation's response. */
export async function changeLicences(agent: TestAgent, change: Record<string, string>): Promise<AgentResponse> {
  const preview = await previewChange(agent, change);
  if (preview.status !== 200) throw new Error(`preview answered ${preview.status}: ${preview.text.slice(0, 400)}`);
  return agent.post('/backend/plans/change', { ...change, prorationDate: hiddenField(preview.text, 'prorationDate')!, token: hiddenField(preview.text, 'token')! });
}

/** The Plans page's licence counts per plan. */
export async function licenceCounts(agent: TestAgent): Promise<Record<string, { purchased: number; inUse: number; free: number }>> {
  const body = (await agent.get('/backend/plans', { accept: 'application/json' })).json<{ plans: Array<{ planId: string; purchased: number; inUse: number; free: number }> }>();
  return Object.fromEntries(body.plans.map((plan) => [plan.planId, { purchased: plan.purchased, inUse: plan.inUse, free: plan.free }]));
}

/** The stripe package pointed at the test server's emulator, as the service uses it. */
export function stripeFor(server: TestServer, secretKey: string): Stripe {
  const url = new URL(server.url);
  return new Stripe(secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
}

/** The stripe package with the emulator's own secret key (kept in the data folder). */
export function emulatorStripe(server: TestServer): Stripe {
  return stripeFor(server, readFileSync(path.join(server.dataDir, 'secrets', 'stripe-emulator-secret-key'), 'utf8').trim());
}

/** Stripe's signature header for a payload: `t=<seconds>,v1=<HMAC-SHA256 of "t.payload">`. */
export function stripeSignature(payload: string, secret: string, seconds: number): string {
  return `t=${seconds},v1=${createHmac('sha256', secret).update(`${seconds}.${payload}`).digest('hex')}`;
}

/** A Stripe event as Stripe posts it, with a fresh id. */
export function stripeEvent(type: string, object: Record<string, unknown>, seconds: number): string {
  return JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', api_version: Stripe.API_VERSION, created: seconds, type, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } });
}

export async function postWebhook(server: TestServer, payload: string, signature: string | null): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/billing/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature && { 'stripe-signature': signature }) }, body: payload });
  return { status: response.status, body: await response.json().catch(() => null) };
}
