import { expect } from 'chai';
import sinon from 'sinon';
import { createLogger } from '../../src/lib/logger/logger.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/** What a request leaves in the log, with and without log.requests (off in development). */
describe('request log', () => {
  afterEach(() => sinon.restore());

  async function logOf(requests: boolean, visit: (server: TestServer) => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
    const lines: string[] = [];
    const server = await startTestServer({ config: { log: { level: 'info', requests } }, logger: createLogger('info', { write: (line: string) => lines.push(line) }) });
    try {
      await visit(server);
    } finally {
      await server.stop();
    }
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('writes no line for an ordinary request when request lines are off, and still writes what goes wrong', async () => {
    const log = await logOf(false, async (server) => {
      expect((await server.agent().get('/healthz')).status).to.equal(200);
      // Something breaks on the way to Kaltura: the launch answers 500, which is logged whatever the setting.
      sinon.stub(server.gateway, 'resolveKs').rejects(new Error('the Kaltura client broke'));
      expect((await server.agent().get('/launch?ks=anything', { accept: 'application/json' })).status).to.equal(500);
    });
    expect(log.filter((line) => line.msg === 'request completed')).to.deep.equal([]);
    expect(log.filter((line) => line.level === 50).map((line) => (line.err as { message?: string } | undefined)?.message)).to.include('the Kaltura client broke');
  });

  it('writes one line per request when they are on', async () => {
    const log = await logOf(true, async (server) => {
      expect((await server.agent().get('/healthz')).status).to.equal(200);
    });
    const completed = log.filter((line) => line.msg === 'request completed');
    expect(completed).to.have.length(1);
    expect((completed[0]!.req as { url: string }).url).to.equal('/healthz');
  });
});
