/**
 * The module's own pages (channel buttons, My Rooms, module settings, the
 * room, error pages, the header menu) in the person's language: the French a
 * browser asks for, or the language a MediaSpace user chose in their profile,
 * which wins over the browser from the next page on. English stays as it was.
 */
import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { RoomClient } from '../support/room-client.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { AgentResponse, TestAgent } from '../support/test-agent.ts';

const FRENCH = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };
const ENGLISH = { 'accept-language': 'en-GB,en;q=0.9' };

/** Page text as people read it: EJS writes quotes and apostrophes as entities. */
function readable(response: AgentResponse): string {
  return response.text.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&');
}

/** The words the room page hands to room.js. */
function roomTexts(response: AgentResponse): Record<string, any> {
  const json = /<script type="application\/json" id="room-texts">([^<]*)<\/script>/.exec(response.text)?.[1];
  expect(json, 'the room page carries its texts').to.be.a('string');
  return JSON.parse(json!);
}

describe('the module in French', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  async function channelScene() {
    const channel = await server.kaltura.createChannel(`Séminaire ${Math.random().toString(36).slice(2, 7)}`);
    const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mathilde Gestion' });
    const member = await server.kaltura.createUser({ role: 'viewerRole', name: 'Marc Membre' });
    await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    return { channel, manager: await signIn(server, manager.id), member: await signIn(server, member.id) };
  }

  /** What a MediaSpace user does on their profile page in the rooms backend. */
  async function chooseLanguage(agent: TestAgent, language: 'en' | 'fr') {
    const { profile } = (await agent.get('/backend/profile', { accept: 'application/json' })).json();
    await agent.get('/backend/profile');
    const saved = await agent.post('/backend/profile', { displayName: profile.name, language, version: String(profile.version) });
    expect(saved.status, saved.text.slice(0, 300)).to.equal(303);
  }

  /** Into the channel's room through Start or Join, every step with these headers; answers the room page. */
  async function enterRoom(agent: TestAgent, channelId: number, action: 'start' | 'join', headers: Record<string, string> = {}) {
    await agent.get(`/channels/${channelId}/meeting`, { headers });
    const launched = await agent.post(`/channels/${channelId}/meeting/${action}`, {}, { headers });
    expect(launched.status, launched.text.slice(0, 300)).to.equal(303);
    const admitted = await agent.get(launched.location!, { headers });
    expect(admitted.status).to.equal(303);
    return { page: await agent.get(admitted.location!, { headers }), roomId: admitted.location!.split('/')[2]! };
  }

  describe('channel buttons', () => {
    it('are in French for a French browser, and in English for everyone else, as before', async () => {
      const { channel, manager } = await channelScene();
      const french = await manager.get(`/channels/${channel.id}/meeting`, { headers: FRENCH });
      expect(french.status).to.equal(200);
      expect(readable(french)).to.contain('<html lang="fr">').and.contain('Démarrer la réunion').and.contain('Aucune réunion en direct');
      expect(readable(french)).to.contain(`<title>Réunion de la chaîne ${channel.name} · Live Rooms</title>`);
      expect(readable(french)).to.contain('data-text-open-in-tab="Ouvrir la salle dans un nouvel onglet"').and.not.contain('Start Meeting');

      const english = await manager.get(`/channels/${channel.id}/meeting`);
      expect(english.text).to.contain('<html lang="en">').and.contain('Start Meeting').and.contain('No meeting live').and.not.contain('Démarrer');
      expect(english.text).to.contain(`<title>${channel.name} meeting · Live Rooms</title>`);
    });

    it('follow the language a MediaSpace user chose in their profile over their browser, from the next page on', async () => {
      const { channel, member } = await channelScene();
      expect((await member.get(`/channels/${channel.id}/meeting`, { headers: ENGLISH })).text).to.contain('Join Meeting');

      await chooseLanguage(member, 'fr');
      const page = await member.get(`/channels/${channel.id}/meeting`, { headers: ENGLISH });
      expect(page.text).to.contain('<html lang="fr">').and.contain('Rejoindre la réunion').and.not.contain('Join Meeting');
      // Refusals said by the service, in JSON too.
      const refused = await member.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json', headers: ENGLISH });
      expect(refused.status).to.equal(403);
      expect(refused.json().error).to.deep.equal({
        code: 'CANNOT_START_MEETING',
        message: 'Votre rôle dans cette chaîne ne vous permet pas de démarrer sa réunion.',
        help: "Les gestionnaires et les modérateurs de la chaîne démarrent les réunions. Vous pourrez la rejoindre dès que l'un d'eux l'aura démarrée.",
      });

      // A change is seen at once, not when a remembered language runs out.
      await chooseLanguage(member, 'en');
      expect((await member.get(`/channels/${channel.id}/meeting`, { headers: FRENCH })).text).to.contain('<html lang="en">').and.contain('Join Meeting');
    });
  });

  describe('My Rooms', () => {
    it('is in French, and says what is wrong with a name in French, next to the field and in JSON', async () => {
      const agent = await signIn(server, (await server.kaltura.createUser({ role: 'privateOnlyRole', name: 'Paule Privée' })).id);
      const page = await agent.get('/my-rooms', { headers: FRENCH });
      expect(readable(page)).to.contain('<h1>Mes salles</h1>').and.contain('+ Nouvelle salle').and.contain("Vous n'avez encore aucune salle.").and.contain('De 1 à 100 caractères.');
      expect(readable(page)).to.contain('<a href="/my-rooms">Mes salles</a>').and.contain('Se déconnecter');

      const empty = await agent.post('/my-rooms', { name: '   ' }, { headers: FRENCH });
      expect(empty.status).to.equal(400);
      expect(readable(empty)).to.contain('Le nom est obligatoire.').and.contain('aria-invalid="true"');
      const long = await agent.post('/my-rooms', { name: 'x'.repeat(101) }, { headers: FRENCH });
      expect(readable(long)).to.contain('Le nom doit comporter au plus 100 caractères.');

      const json = await agent.postJson('/my-rooms', { name: '' }, { headers: FRENCH });
      expect(json.status).to.equal(400);
      expect(json.json().error).to.deep.include({ message: "La salle n'a pas été créée. Nom : est obligatoire.", fields: { name: 'est obligatoire' } });
      // English, exactly as before.
      expect((await agent.postJson('/my-rooms', { name: '' })).json().error).to.deep.include({ message: 'The room was not created. Name: is required.', fields: { name: 'is required' } });
    });

    it('is in the language a MediaSpace user chose, whatever their browser asks for', async () => {
      const agent = await signIn(server, (await server.kaltura.createUser({ role: 'privateOnlyRole', name: 'Pierre Profil' })).id);
      await chooseLanguage(agent, 'fr');
      const page = await agent.get('/my-rooms', { headers: ENGLISH });
      expect(page.text).to.contain('<html lang="fr">').and.contain('<h1>Mes salles</h1>').and.contain('Créer la salle');
    });
  });

  describe('module settings', () => {
    async function admin(): Promise<TestAgent> {
      return signIn(server, (await server.kaltura.createUser({ role: 'adminRole', name: 'Adèle Admin' })).id);
    }

    it('show the settings of the manifest translated in French', async () => {
      const page = readable(await (await admin()).get('/admin/module', { headers: FRENCH }));
      expect(page).to.contain('<h1>Paramètres du module Live Rooms</h1>').and.contain('<label for="enabled">Activer Live Rooms</label>').and.not.contain('<code>enabled</code>');
      expect(page).to.contain('Activer les salles privées (Mes salles)').and.contain('Correspondance des rôles').and.contain('>60 secondes</option>');
      expect(page).to.contain('<th scope="row">Gestionnaire</th>').and.contain('aria-label="Rôle dans la salle pour : gestionnaire"').and.contain('>formateur</option>');
      expect(page).to.contain('Enregistrer les paramètres').and.contain("Aucune modification pour l'instant.");
      expect(page).to.contain('<th scope="col">Démarrer la session</th>');
    });

    it('name the settings in the change history by their French labels, with Oui and Non', async () => {
      const agent = await admin();
      await agent.get('/admin/module');
      const before = (await agent.get('/admin/module', { accept: 'application/json' })).json();
      const change = async (settings: Record<string, unknown>, version: number) => {
        const saved = await agent.postJson('/admin/module', { version, settings });
        expect(saved.status, saved.text).to.equal(200);
        return saved.json().version as number;
      };
      const version = await change({ ...before.settings, maxPrivateRoomsPerUser: before.settings.maxPrivateRoomsPerUser + 1, openInNewTab: !before.settings.openInNewTab }, before.version);
      try {
        const page = readable(await agent.get('/admin/module', { headers: FRENCH }));
        const history = page.slice(page.indexOf('audit-table'));
        expect(history).to.contain('<td>Salles privées par utilisateur</td>').and.contain('<td>Ouvrir les salles dans un nouvel onglet</td>').and.contain('<code class="value">Oui</code>');
        expect(history).not.to.contain('maxPrivateRoomsPerUser').and.not.contain('openInNewTab');
      } finally {
        // The suite's other tests share these settings.
        await change(before.settings, version);
      }
    });

    it('show the manifest as it is in English', async () => {
      const page = readable(await (await admin()).get('/admin/module'));
      expect(page).to.contain('<h1>Live Rooms module settings</h1>').and.contain('<label for="enabled">Enable Live Rooms</label>');
      expect(page).to.contain('Turns the module on. While it is off, channel pages show no meeting actions and every module route answers 404.');
      expect(page).to.contain('aria-label="Room role for manager"').and.contain('Those with “Start the session” see Start Meeting; everyone else sees Join Meeting.');
    });
  });

  describe('errors', () => {
    it('are pages and JSON in French for a French browser', async () => {
      const missing = await server.agent().get('/nowhere', { headers: FRENCH });
      expect(missing.status).to.equal(404);
      expect(readable(missing)).to.contain('<html lang="fr">').and.contain('Erreur 404').and.contain('<h1 id="error-title">Introuvable</h1>').and.contain("Il n'y a aucune page à cette adresse.");

      const unsigned = await server.agent().get('/my-rooms', { headers: FRENCH });
      expect(unsigned.status).to.equal(401);
      expect(readable(unsigned)).to.contain('Veuillez vous connecter depuis MediaSpace').and.contain("Vous n'êtes pas connecté à Live Rooms, ou votre session a pris fin.");

      const badKs = await server.agent().get('/launch?ks=%3Cscript%3E', { headers: FRENCH });
      expect(readable(badKs)).to.contain("Le lien depuis MediaSpace est incomplet. Ks : n'est pas une session Kaltura.");

      const { member } = await channelScene();
      const notChannel = await member.get('/channels/abc/meeting', { accept: 'application/json', headers: FRENCH });
      expect(notChannel.json().error).to.deep.include({ code: 'VALIDATION_FAILED', fields: { channelId: 'doit être un nombre entier positif' } });
      expect(notChannel.json().error.message).to.equal("Ce n'est pas l'adresse d'une chaîne. ChannelId : doit être un nombre entier positif.");
    });

    it('stay in English otherwise, word for word', async () => {
      const missing = await server.agent().get('/nowhere');
      expect(missing.text).to.contain('<html lang="en">').and.contain('Error 404').and.contain('<h1 id="error-title">Not found</h1>').and.contain('There is no page at this address.');
      const unsigned = await server.agent().get('/my-rooms');
      expect(unsigned.text).to.contain('Please sign in through MediaSpace').and.contain('You are not signed in to Live Rooms, or your session has ended.');
    });
  });

  describe('the room', () => {
    it('is in French, with the words for room.js in French too', async () => {
      const { channel, manager } = await channelScene();
      const { page } = await enterRoom(manager, channel.id, 'start', FRENCH);
      expect(page.status).to.equal(200);
      const text = readable(page);
      expect(text).to.contain('<html lang="fr">').and.contain('<p class="room__kind">Réunion de chaîne</p>').and.contain('>Démarrer la session</button>');
      expect(text).to.contain('<li data-permission="endSession">Terminer la session</li>').and.contain('data-room-role="instructor">Formateur</span>');
      // The hooks room.js and the browser tests rely on are unchanged.
      expect(text).to.contain('data-control="start"').and.contain('data-screen="waiting"').and.contain('data-chat-form');

      const texts = roomTexts(page);
      expect(texts.language).to.equal('fr');
      expect(texts.state.connecting).to.equal('Connexion…');
      expect(texts.confirmEnd).to.deep.equal({ title: 'Terminer la session pour tout le monde ?', text: 'Tout le monde quitte la session en direct et la discussion se ferme.', ok: 'Terminer la session' });
      expect(texts.charsLeft).to.deep.equal({ one: '{{count}} caractère restant', other: '{{count}} caractères restants' });
    });

    it('hands room.js the same words in English, with nothing in them that could end the script element', async () => {
      const { channel, manager } = await channelScene();
      const { page } = await enterRoom(manager, channel.id, 'start');
      const texts = roomTexts(page);
      expect(texts.language).to.equal('en');
      expect(texts.state.connecting).to.equal('Connecting…');
      expect(texts.waitingSummary.participant.alone).to.equal('You are the only one waiting.');
      expect(page.text).to.contain('>Start session</button>').and.contain('<p class="room__kind">Channel meeting</p>');
      const json = /id="room-texts">([^<]*)<\/script>/.exec(page.text)![1]!;
      expect(json).to.not.match(/[<>&]/);
    });

    it('speaks the language a MediaSpace user chose, on the page and in the refusals of its socket', async () => {
      const { channel, manager, member } = await channelScene();
      await enterRoom(manager, channel.id, 'start');
      await chooseLanguage(member, 'fr');
      const { page, roomId } = await enterRoom(member, channel.id, 'join', ENGLISH);
      expect(page.text).to.contain('<html lang="fr">');
      expect(roomTexts(page).language).to.equal('fr');

      const client = await RoomClient.open(member, roomId);
      try {
        await client.next('welcome');
        client.send({ type: 'session.end', ref: 'end:1' });
        expect(await client.next('error')).to.include({ code: 'NOT_ALLOWED', ref: 'end:1', message: "Vous n'avez pas la permission de terminer la session." });
      } finally {
        client.socket.close();
      }
    });
  });

  describe('the MediaSpace header menu', () => {
    it('names its links in the language of the person whose KS asks', async () => {
      const user = await server.kaltura.createUser({ role: 'adminRole' });
      const ks = encodeURIComponent(await server.kaltura.userKs(user.id));
      const french = await server.agent().get(`/embed/menu?ks=${ks}`, { accept: 'application/json', headers: FRENCH });
      expect(french.json().items).to.deep.equal([
        { id: 'my-rooms', label: 'Mes salles', returnTo: '/my-rooms' },
        { id: 'module-settings', label: 'Paramètres de Live Rooms', returnTo: '/admin/module' },
      ]);
      const english = await server.agent().get(`/embed/menu?ks=${ks}`, { accept: 'application/json' });
      expect(english.json().items.map((item: { label: string }) => item.label)).to.deep.equal(['My Rooms', 'Live Rooms settings']);
    });
  });
});
