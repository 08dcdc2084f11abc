import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { LEVEL } from '../support/kaltura-seed.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

describe('room launch (GET /rooms/:roomId/launch)', () => {
  let server: TestServer;
  let clock: number;

  before(async () => {
    clock = Date.now();
    server = await startTestServer({ now: () => clock });
  });
  after(() => server.stop());

  /** A fresh launch URL for a channel member, as Join Meeting makes it. */
  async function joinUrl(level: number = LEVEL.member) {
    const user = await server.kaltura.createUser({ role: 'viewerRole', name: 'Lena Launch', email: 'lena@test.example' });
    const channel = await server.kaltura.createChannel(`Launch lab ${Math.random().toString(36).slice(2, 8)}`);
    await server.kaltura.addMember(channel.id, user.id, level);
    const agent = await signIn(server, user.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    const { launchUrl, roomId } = (await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
    return { agent, launchUrl: launchUrl as string, roomId: roomId as string, token: new URL(launchUrl, server.url).searchParams.get('token')!, user, channel };
  }

  it('admits the person once and shows the room with their name, role and permissions', async () => {
    const { agent, launchUrl, roomId, channel } = await joinUrl();
    const launched = await agent.get(launchUrl);
    expect(launched.status).to.equal(303);
    expect(launched.location).to.equal(`/rooms/${roomId}`);
    expect(launched.headers.getSetCookie().find((c) => c.startsWith('lr_room='))).to.match(new RegExp(`Path=/rooms/${roomId}`)).and.match(/HttpOnly/i);
    const room = await agent.get(`/rooms/${roomId}`, { accept: 'application/json' });
    expect(room.json()).to.deep.include({ role: 'participant', live: false }).and.nested.include({ 'room.name': channel.name, 'user.name': 'Lena Launch' });
  });

  it('asks for every module of the room page at once: each one its scripts import is preloaded, and served', async () => {
    const { agent, launchUrl, roomId } = await joinUrl();
    await agent.get(launchUrl);
    const html = (await agent.get(`/rooms/${roomId}`)).text;
    const attributes = (pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1]!);
    const scripts = attributes(/<script type="module" src="([^"]+)"/g);
    const preloaded = new Set(attributes(/<link rel="modulepreload" href="([^"]+)"/g));
    expect(scripts).to.deep.equal(['/assets/media/media-room.js', '/assets/recordings-room/recording.js', '/assets/live-room/room.js']);
    // Followed as a browser would, from the served files: nothing it would find one level down was left out.
    const pending = [...scripts];
    const seen = new Set(pending);
    while (pending.length > 0) {
      const url = pending.pop()!;
      const module = await agent.get(url);
      expect(module.status, url).to.equal(200);
      expect(module.headers.get('content-type'), url).to.match(/javascript/);
      for (const [, specifier] of module.text.matchAll(/(?:from|import)\s*'(\.{1,2}\/[^']+)'/g)) {
        const imported = new URL(specifier!, new URL(url, server.url)).pathname;
        expect(preloaded.has(imported), `${imported} (imported by ${url}) is preloaded`).to.equal(true);
        if (!seen.has(imported)) pending.push(imported), seen.add(imported);
      }
    }
    expect(seen.size).to.be.greaterThan(20);
  });

  it('carries the claims a room server needs, verifiable with the published JWKS', async () => {
    const { token, roomId, user, channel } = await joinUrl(LEVEL.moderator);
    const jwks = (await server.agent().get('/.well-known/jwks.json', { accept: 'application/json' })).json();
    const [key] = jwks.keys;
    expect(key).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key).to.not.have.property('d');
    const claims = jwt.verify(token, createPublicKey({ key, format: 'jwk' }), { algorithms: ['ES256'], audience: 'live-rooms:room' }) as jwt.JwtPayload;
    expect(claims).to.include({ sub: mediaSpaceUserKey(user.id), role: 'instructor' }).and.include.keys('iss', 'aud', 'iat', 'exp', 'jti', 'permissions');
    expect(claims.room).to.deep.include({ id: roomId, name: channel.name, kind: 'channel' });
    expect(claims.user).to.deep.equal({ id: mediaSpaceUserKey(user.id), name: 'Lena Launch', email: 'lena@test.example' });
    expect(claims.exp! - claims.iat!).to.be.at.most(120);
  });

  it('refuses a replayed token: the second use gets 401 and no room cookie', async () => {
    const { agent, launchUrl } = await joinUrl();
    expect((await agent.get(launchUrl)).status).to.equal(303);
    const replay = await server.agent().get(launchUrl);
    expect(replay.status).to.equal(401);
    expect(replay.text).to.contain('already been used');
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('lr_room='))).to.equal(false);
  });

  it('refuses an expired token', async () => {
    const { launchUrl } = await joinUrl();
    clock += 61_000 + 5_000;
    try {
      const response = await server.agent().get(launchUrl);
      expect(response.status).to.equal(401);
      expect(response.text).to.contain('expired');
    } finally {
      clock -= 66_000;
    }
  });

  it('refuses tampered, forged, unsigned and wrong-room tokens', async () => {
    const { token, roomId } = await joinUrl();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'instructor' })).toString('base64url');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = jwt.sign({ ...claims, jti: 'forged-forged-forged-1' }, privateKey, { algorithm: 'ES256' });
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const hmac = jwt.sign({ ...claims, jti: 'hmac-hmac-hmac-hmac-1' }, 'guessable', { algorithm: 'HS256' });
    for (const [what, bad] of [['tampered', `${header}.${promoted}.${signature}`], ['forged', forged], ['unsigned', unsigned], ['HS256', hmac], ['garbage', 'not.a.token']] as const) {
      const response = await server.agent().get(`/rooms/${roomId}/launch?token=${encodeURIComponent(bad)}`);
      expect(response.status, what).to.equal(401);
      expect(response.text, what).to.contain('not valid');
    }
    const other = await joinUrl();
    const wrongRoom = await server.agent().get(`/rooms/${other.roomId}/launch?token=${encodeURIComponent(token)}`);
    expect(wrongRoom.status).to.equal(401);
    expect(wrongRoom.text).to.contain('different room');
  });

  it('refuses a token issued in the future beyond the clock tolerance, or not valid before a later time', async () => {
    const { token, roomId } = await joinUrl();
    const claims = jwt.decode(token) as jwt.JwtPayload;
    // Signed with the service's own key: only the times are wrong.
    const serviceKey = readFileSync(path.join(server.dataDir, 'secrets', 'launch-signing-key.pem'), 'utf8');
    const now = Math.floor(clock / 1000);
    const resign = (times: { iat: number; exp: number; nbf?: number }, jti: string) => jwt.sign({ ...claims, ...times, jti }, serviceKey, { algorithm: 'ES256' });
    const cases = [
      ['iat an hour ahead', resign({ iat: now + 3600, exp: now + 3660 }, 'future-iat-future-iat-1')],
      ['iat a minute ahead', resign({ iat: now + 60, exp: now + 120 }, 'future-iat-future-iat-2')],
      ['nbf ahead', resign({ iat: now, exp: now + 60, nbf: now + 30 }, 'future-nbf-future-nbf-1')],
    ] as const;
    for (const [what, bad] of cases) {
      const response = await server.agent().get(`/rooms/${roomId}/launch?token=${encodeURIComponent(bad)}`);
      expect(response.status, what).to.equal(401);
      expect(response.text, what).to.contain('not valid');
    }
    // Within the tolerance of a clock a little ahead, the same key's token is welcome.
    const skewed = resign({ iat: now + 3, exp: now + 60, nbf: now + 3 }, 'skewed-clock-skewed-1');
    expect((await server.agent().get(`/rooms/${roomId}/launch?token=${encodeURIComponent(skewed)}`)).status).to.equal(303);
  });

  it('answers 400 without a token and 404 for addresses that are not rooms', async () => {
    const { roomId } = await joinUrl();
    expect((await server.agent().get(`/rooms/${roomId}/launch`)).status).to.equal(400);
    expect((await server.agent().get('/rooms/../../etc/launch?token=x')).status).to.equal(404);
    expect((await server.agent().get('/rooms/not-a-room/launch?token=x')).status).to.equal(404);
  });

  it('keeps the room closed to anyone without a pass for it', async () => {
    const first = await joinUrl();
    await first.agent.get(first.launchUrl);
    const stranger = await server.agent().get(`/rooms/${first.roomId}`);
    expect(stranger.status).to.equal(401);
    expect(stranger.text).to.contain('Open the room from MediaSpace');
  });
});
