import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/lib/config/config.ts';

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

  it('freezes the result so nothing changes config at run time', () => {
    const config = loadConfig({ environment: { NODE_ENV: 'test' } });
    expect(Object.isFrozen(config.http)).to.equal(true);
  });
});
