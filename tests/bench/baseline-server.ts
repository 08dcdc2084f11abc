/**
 * The yardstick: a bare Express 5 server with the join flow's four routes,
 * each answering trivially (no middleware, no database, no Kaltura). What it
 * costs is what HTTP, Express routing and the load generator cost by
 * themselves; the service's figures are read against it.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { serveParent } from './child-server.ts';

const app = express();
app.disable('x-powered-by');

app.get('/launch', (_req, res) => {
  res.cookie('lr_session', randomBytes(32).toString('base64url'), { httpOnly: true, sameSite: 'lax', path: '/' });
  res.redirect(303, '/');
});

app.get('/channels/:channelId/meeting', (req, res) => {
  const channelId = Number(req.params.channelId);
  res.format({
    json: () => res.json({ channelId, channelName: 'Bench channel', membership: 'member', roomRole: 'participant', actions: ['join'], live: false }),
    html: () =>
      res.type('html').send(`<form method="post" action="/channels/${channelId}/meeting/join"><input type="hidden" name="_csrf" value="${randomBytes(32).toString('base64url')}"><button>Join Meeting</button></form>`),
  });
});

app.post('/channels/:channelId/meeting/join', (_req, res) => {
  res.json({ launchUrl: `/rooms/${randomBytes(16).toString('hex')}/launch?token=x`, roomId: 'bench', roomRole: 'participant', openInNewTab: false });
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveParent({
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
});
