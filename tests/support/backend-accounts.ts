/**
 * Builders for backend accounts in tests that are not about invitations: an
 * account straight in the module's database (as an accepted invitation leaves
 * it), and signing in with its password through /login like a browser.
 */
import { randomUUID } from 'node:crypto';
import type { BackendRole } from '../../src/backend/backend-roles.ts';
import { hashPassword } from '../../src/sign-in/passwords.ts';
import { createAccountStore, type Account } from '../../src/users/account-store.ts';
import type { TestServer } from './test-server.ts';
import type { TestAgent } from './test-agent.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface AccountSpec {
  role?: BackendRole;
  name?: string;
  email?: string;
  password?: string;
  status?: 'invited' | 'active' | 'deactivated';
}

export async function createBackendAccount(server: TestServer, { role = 'instructor', name, email, password = TEST_PASSWORD, status = 'active' }: AccountSpec = {}): Promise<Account & { password: string }> {
  const accounts = createAccountStore(server.db);
  const id = randomUUID();
  const address = email ?? `${role}-${id.slice(0, 8)}@school.test`;
  await accounts.insertBackendAccount({ id, name: name ?? `Test ${role} ${id.slice(0, 4)}`, email: address, backendRole: role, status, createdAt: Date.now() });
  if (status !== 'invited') await accounts.setPassword(id, await hashPassword(password), Date.now());
  return { ...(await accounts.findById(id))!, password };
}

/** Signs in through /login; throws unless the service answered with a redirect into the backend. */
export async function signInWithPassword(server: TestServer, email: string, password = TEST_PASSWORD): Promise<TestAgent> {
  const agent = server.agent();
  await agent.get('/login');
  const response = await agent.post('/login', { email, password });
  if (response.status !== 303) throw new Error(`sign-in for ${email} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return agent;
}
