import { expect } from 'chai';
import { defaultModuleSettings, loadModuleManifest, moduleSettingsSchema } from '../../../src/module-settings/settings-schema.ts';

describe('module manifest', () => {
  it('describes itself the way MediaSpace modules do: id, name, version, description, usage and its hooks', () => {
    const manifest = loadModuleManifest();
    expect(manifest).to.include.keys('id', 'name', 'version', 'description', 'usage', 'hooks', 'settings');
    expect(manifest.hooks).to.have.keys('channelButtons', 'headerMenu');
  });

  it('declares exactly the settings the schema validates, with admin.ini field types', () => {
    const manifest = loadModuleManifest();
    expect(manifest.settings.map((s) => s.name).sort()).to.deep.equal(Object.keys(moduleSettingsSchema.shape).sort());
    for (const setting of manifest.settings) expect(['boolean', 'select', 'text', 'array']).to.include(setting.type);
  });

  it('ships the module off, private rooms off and rooms opening within the page', () => {
    expect(defaultModuleSettings()).to.include({ enabled: false, enableUserPrivateLiveRoom: false, openInNewTab: false, launchTokenLifetimeSeconds: 60 });
  });
});
