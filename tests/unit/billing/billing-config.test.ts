/** Billing's configuration: Stripe's keys checked at start-up, naming the key. */
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/lib/config/config.ts';

const PRODUCTION = { NODE_ENV: 'production', PUBLIC_URL: 'https://rooms.example', KALTURA_SERVICE_URL: 'https://kaltura.example', KALTURA_ADMIN_SECRET: 's3cret' } as const;

describe('billing configuration', () => {
  it('is on with the emulator in development, off in production unless asked for', () => {
    expect(loadConfig({ environment: { NODE_ENV: 'development' } }).billing).to.include({ enabled: true, secretKey: null, currency: 'eur', interval: 'month' });
    expect(loadConfig({ environment: PRODUCTION }).billing.enabled).to.equal(false);
  });

  it('refuses billing in production without a Stripe key, and a Stripe key without its webhook secret', () => {
    expect(() => loadConfig({ environment: { ...PRODUCTION, BILLING_ENABLED: 'true' } })).to.throw(ConfigError, /billing\.secretKey: is required in production with billing on \(STRIPE_SECRET_KEY\)/);
    expect(() => loadConfig({ environment: { ...PRODUCTION, BILLING_ENABLED: 'true', STRIPE_SECRET_KEY: 'sk_live_abc123' } })).to.throw(ConfigError, /billing\.webhookSecret: is required with STRIPE_SECRET_KEY/);
    const config = loadConfig({ environment: { ...PRODUCTION, BILLING_ENABLED: 'true', STRIPE_SECRET_KEY: 'sk_live_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_TIMEOUT_MS: '2500' } });
    expect(config.billing).to.include({ enabled: true, secretKey: 'sk_live_abc123', webhookSecret: 'whsec_abc', timeoutMs: 2500 });
  });

  it('names a key that is not a Stripe key, and a price that is not whole cents', () => {
    expect(() => loadConfig({ environment: { STRIPE_SECRET_KEY: 'pk_test_publishable' } })).to.throw(ConfigError, /billing\.secretKey: must be a Stripe secret key/);
    expect(() => loadConfig({ overrides: { plans: { smart_15: { prices: { month: 15.5 } } } } })).to.throw(ConfigError, /plans\.smart_15\.prices\.month/);
  });

  it('takes another Stripe API address (STRIPE_API_URL), http or https only', () => {
    expect(loadConfig({ environment: { STRIPE_API_URL: 'http://127.0.0.1:12111' } }).billing.apiUrl).to.equal('http://127.0.0.1:12111');
    expect(loadConfig({ environment: {} }).billing.apiUrl).to.equal(null);
    expect(() => loadConfig({ environment: { STRIPE_API_URL: 'ftp://stripe.example' } })).to.throw(ConfigError, /billing\.apiUrl/);
  });
});
