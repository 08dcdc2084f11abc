import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/lib/config/config.ts';

const PRODUCTION = { NODE_ENV: 'production', PUBLIC_URL: 'https://rooms.example', KALTURA_SERVICE_URL: 'https://kaltura.example', KALTURA_ADMIN_SECRET: 's3cret' } as const;

describe('loadConfig', () => {
  it('starts from the embedded defaults: emulator on, SQLite, port 3000', () => {
    const config = loadConfig({ environment: { NODE_ENV: 'test' } });
    expect(config.kaltura.serviceUrl).to.equal(null);
    expect(config.database.url).to.equal(null);
    expect(config.http.port).to.equal(3000);
  });

  it('takes the documented environment variables', () => {
    const config = loadConfig({
      environment: { NODE_ENV: 'test', PORT: '8080', DATA_DIR: '/srv/rooms', KALTURA_SERVICE_URL: 'https://kaltura.example/', KALTURA_PARTNER_ID: '777', KALTURA_ADMIN_SECRET: 's3cret', DATABASE_URL: 'postgres://u@db/rooms', MODULE_SETTINGS: '{"enabled":true}' },
    });
    expect(config.http.port).to.equal(8080);
    expect(config.dataDir).to.equal('/srv/rooms');
    expect(config.kaltura).to.include({ serviceUrl: 'https://kaltura.example', partnerId: 777, adminSecret: 's3cret' });
    expect(config.database.url).to.equal('postgres://u@db/rooms');
    expect(config.moduleSettings).to.deep.equal({ enabled: true });
  });

  it('stops with a message naming the key when a value is wrong', () => {
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', PORT: 'eighty' } })).to.throw(ConfigError, 'http.port');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', KALTURA_SERVICE_URL: 'https://kaltura.example' } })).to.throw(ConfigError, 'kaltura.adminSecret');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', MODULE_SETTINGS: '{"enabled":"yes"}' } })).to.throw(ConfigError, 'moduleSettings.enabled');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', MODULE_SETTINGS: '{not json' } })).to.throw(ConfigError, 'MODULE_SETTINGS');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', MODULE_SETTINGS: '{"colour":"red"}' } })).to.throw(ConfigError, 'moduleSettings');
  });

  it('trusts no proxy unless told, in production too', () => {
    expect(loadConfig({ environment: { NODE_ENV: 'test' } }).http.trustedProxies).to.equal(false);
    expect(loadConfig({ environment: { ...PRODUCTION, TRUSTED_PROXIES: '0' } }).http.trustedProxies).to.equal(false);
    expect(loadConfig({ environment: PRODUCTION }).http.trustedProxies).to.equal(false);
  });

  it('takes TRUSTED_PROXIES as a hop count or as addresses and subnets, and refuses anything else naming the key', () => {
    expect(loadConfig({ environment: { NODE_ENV: 'test', TRUSTED_PROXIES: '2' } }).http.trustedProxies).to.equal(2);
    expect(loadConfig({ environment: { NODE_ENV: 'test', TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16,fd00::/8 , loopback' } }).http.trustedProxies).to.deep.equal(['10.0.0.1', '10.1.0.0/16', 'fd00::/8', 'loopback']);
    for (const wrong of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/8', '*', '-1']) {
      expect(() => loadConfig({ environment: { NODE_ENV: 'test', TRUSTED_PROXIES: wrong } }), wrong).to.throw(ConfigError, 'http.trustedProxies');
    }
    expect(() => loadConfig({ environment: { NODE_ENV: 'test' }, overrides: { http: { trustedProxies: true } } })).to.throw(ConfigError, 'http.trustedProxies');
  });

  it('refuses to run the emulator and the demo portal in production without a deliberate DEMO_MODE', () => {
    const { KALTURA_SERVICE_URL: _, ...withoutKaltura } = PRODUCTION;
    expect(() => loadConfig({ environment: withoutKaltura })).to.throw(ConfigError, /kaltura\.serviceUrl: is required in production \(KALTURA_SERVICE_URL\).*DEMO_MODE=true/);
    expect(loadConfig({ environment: { ...withoutKaltura, DEMO_MODE: 'true' } }).kaltura.serviceUrl).to.equal(null);
    expect(() => loadConfig({ environment: { ...withoutKaltura, DEMO_MODE: 'false' } })).to.throw(ConfigError, 'kaltura.serviceUrl');
    expect(() => loadConfig({ environment: { ...withoutKaltura, DEMO_MODE: 'yes' } })).to.throw(ConfigError, 'DEMO_MODE');
    expect(loadConfig({ environment: PRODUCTION }).demoMode).to.equal(false);
    expect(loadConfig({ environment: { NODE_ENV: 'development' } }).kaltura.serviceUrl).to.equal(null);
  });

  it('leaves the public address to the listening one unless PUBLIC_URL is set, and requires it in production', () => {
    expect(loadConfig({ environment: { NODE_ENV: 'development', PORT: '8080' } }).http.publicUrl).to.equal(null);
    expect(loadConfig({ environment: { NODE_ENV: 'test', PUBLIC_URL: 'https://rooms.example/' } }).http.publicUrl).to.equal('https://rooms.example');
    const { PUBLIC_URL: _, ...withoutPublicUrl } = PRODUCTION;
    expect(() => loadConfig({ environment: withoutPublicUrl })).to.throw(ConfigError, /http\.publicUrl: is required in production \(PUBLIC_URL\)/);
  });

  it('keeps request lines out of the development console unless LOG_REQUESTS asks for them, and writes them elsewhere', () => {
    expect(loadConfig({ environment: { NODE_ENV: 'development' } }).log.requests).to.equal(false);
    expect(loadConfig({ environment: { NODE_ENV: 'development', LOG_REQUESTS: 'true' } }).log.requests).to.equal(true);
    expect(loadConfig({ environment: PRODUCTION }).log.requests).to.equal(true);
    expect(() => loadConfig({ environment: { NODE_ENV: 'development', LOG_REQUESTS: 'yes' } })).to.throw(ConfigError, 'LOG_REQUESTS');
  });

  it('freezes the result so nothing changes config at run time', () => {
    const config = loadConfig({ environment: { NODE_ENV: 'test' } });
    expect(Object.isFrozen(config.http)).to.equal(true);
  });
});
