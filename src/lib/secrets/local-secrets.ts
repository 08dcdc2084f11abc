/**
 * Secrets the service makes for itself on first start and keeps in the data
 * folder (mode 0600), so that nothing secret is ever committed: the CSRF
 * secret, the launch-token signing key, and the demo partner's secrets for the
 * built-in Kaltura emulator. Config or the environment can supply each instead.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function readOrCreateSecretFile(dataDir: string, name: string, create: () => string): string {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = create();
  writeFileSync(file, value, { mode: 0o600, flag: 'wx' });
  return value;
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

export function createEcPrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
