import { expect } from 'chai';
import sinon from 'sinon';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { browserLanguage, LanguageChooser, loadTranslations, type Translations } from '../../../src/lib/i18n/i18n.ts';
import { phrase, say } from '../../../src/lib/i18n/phrase.ts';
import { AppError, ValidationError } from '../../../src/lib/errors/app-error.ts';
import { parseInput } from '../../../src/lib/http/validate.ts';
import { scriptJson } from '../../../src/lib/http/script-json.ts';

/** Just enough of a request and a response for the language middleware. */
function exchange({ acceptLanguage, userId }: { acceptLanguage?: string; userId?: string } = {}) {
  const rendered = sinon.stub();
  const req = {
    get: (name: string) => (name.toLowerCase() === 'accept-language' ? acceptLanguage : undefined),
    auth: userId ? { userId } : undefined,
    next: sinon.stub(),
  } as unknown as Request;
  const res = { locals: {} as Record<string, unknown>, render: rendered } as unknown as Response;
  return { req, res, rendered };
}

/** A `next` the test does not look at. */
function ignored(): NextFunction {
  return sinon.stub() as unknown as NextFunction;
}

describe('translations', () => {
  let translations: Translations;

  before(async () => {
    translations = await loadTranslations('en');
  });
  afterEach(() => sinon.restore());

  describe('#forLanguage', () => {
    it('answers plain texts the same on every call, in each language', () => {
      const [en, fr] = [translations.forLanguage('en'), translations.forLanguage('fr')];
      const first = fr('channels:meeting.join');
      expect(first).to.not.equal('channels:meeting.join');
      expect(fr('channels:meeting.join')).to.equal(first);
      expect(en('channels:meeting.join')).to.not.equal(first);
    });

    it('interpolates on every call, and answers an unknown key with the key itself', () => {
      const t = translations.forLanguage('en');
      expect(t('channels:meeting.title', { channel: 'Physics' })).to.contain('Physics');
      expect(t('channels:meeting.title', { channel: 'Chemistry' })).to.contain('Chemistry');
      expect(t('channels:no.such.text')).to.equal('no.such.text');
      expect(t('channels:no.such.text')).to.equal('no.such.text');
    });
  });

  describe('browserLanguage', () => {
    it('takes the most wanted of our languages, by weight, whatever the region', () => {
      expect(browserLanguage('fr-CA,fr;q=0.9,en;q=0.5', 'en')).to.equal('fr');
      expect(browserLanguage('de-DE,de;q=0.9,en;q=0.8,fr;q=0.7', 'fr')).to.equal('en');
      expect(browserLanguage('en;q=0.4, FR;q=0.6', 'en')).to.equal('fr');
      expect(browserLanguage('fr;q=0, en', 'fr')).to.equal('en');
    });

    it('falls back to the default for no header, no language of ours, or nonsense', () => {
      expect(browserLanguage(undefined, 'fr')).to.equal('fr');
      expect(browserLanguage('de, es;q=0.8', 'en')).to.equal('en');
      expect(browserLanguage('*', 'fr')).to.equal('fr');
      expect(browserLanguage(';;;,q=,fr;q=abc', 'en')).to.equal('en');
    });
  });

  describe('LanguageChooser', () => {
    describe('#forPerson', () => {
      it('prefers the profile’s choice to the browser’s, and the browser’s to the default', async () => {
        const chosen = sinon.stub().callsFake(async (userId: string) => (userId === 'chose-french' ? 'fr' : userId === 'chose-nonsense' ? 'xx' : null));
        const chooser = new LanguageChooser(translations, 'en', chosen);
        expect(await chooser.forPerson('chose-french', 'en')).to.equal('fr');
        expect(await chooser.forPerson('chose-nothing', 'fr')).to.equal('fr');
        expect(await chooser.forPerson('chose-nonsense', undefined)).to.equal('en');
        expect(await chooser.forPerson(null, 'fr')).to.equal('fr');
        expect(chosen.args.map(([userId]) => userId)).to.deep.equal(['chose-french', 'chose-nothing', 'chose-nonsense']);
      });
    });

    describe('#middleware', () => {
      it('reads no profile for a request that renders nothing', () => {
        const chosen = sinon.stub().resolves('fr');
        const { req, res } = exchange({ acceptLanguage: 'en', userId: 'u1' });
        const next = sinon.stub();
        new LanguageChooser(translations, 'en', chosen).middleware()(req, res, next);
        expect(next.calledOnce).to.equal(true);
        expect(chosen.called).to.equal(false);
        // Until then the browser's language speaks.
        expect(res.locals.language).to.equal('en');
        expect(req.t('channels:meeting.join')).to.equal('Join Meeting');
      });

      it('settles the language once, before the first page is rendered, and renders in it', async () => {
        const chosen = sinon.stub().resolves('fr');
        const { req, res, rendered } = exchange({ acceptLanguage: 'en', userId: 'u1' });
        new LanguageChooser(translations, 'en', chosen).middleware()(req, res, ignored());
        res.render('channels/meeting', { meeting: null });
        await req.resolveLanguage();
        expect(rendered.calledOnceWithExactly('channels/meeting', { meeting: null })).to.equal(true);
        expect(res.locals.language).to.equal('fr');
        expect((res.locals.t as Request['t'])('channels:meeting.join')).to.equal('Rejoindre la réunion');
        expect(req.t('channels:meeting.join')).to.equal('Rejoindre la réunion');
        expect(await req.resolveLanguage()).to.equal('fr');
        expect(chosen.callCount).to.equal(1);
      });

      it('asks nobody’s profile without a session', async () => {
        const chosen = sinon.stub().resolves('en');
        const { req, res } = exchange({ acceptLanguage: 'fr' });
        new LanguageChooser(translations, 'en', chosen).middleware()(req, res, ignored());
        expect(await req.resolveLanguage()).to.equal('fr');
        expect(chosen.called).to.equal(false);
      });

      it('hands a failed profile read to the error handler, whose page then speaks the browser’s language', async () => {
        const failure = new Error('database away');
        const { req, res, rendered } = exchange({ acceptLanguage: 'fr', userId: 'u1' });
        new LanguageChooser(translations, 'en', sinon.stub().rejects(failure)).middleware()(req, res, ignored());
        res.render('channels/meeting', {});
        await new Promise((resolve) => setImmediate(resolve));
        expect(rendered.called).to.equal(false);
        expect((req.next as sinon.SinonStub).calledOnceWithExactly(failure)).to.equal(true);
        expect(await req.resolveLanguage()).to.equal('fr');
        res.render('errors/error', {});
        await new Promise((resolve) => setImmediate(resolve));
        expect(rendered.calledOnce).to.equal(true);
      });
    });
  });

  describe('say', () => {
    it('says a phrase in the language of t, with phrases among its values said first, and leaves plain text as it is', () => {
      const french = translations.forLanguage('fr');
      const notAllowed = phrase('live-room:errors.notAllowed', { action: phrase('live-room:actions.endSession') });
      expect(say(french, notAllowed)).to.equal("Vous n'avez pas la permission de terminer la session.");
      expect(say(translations.forLanguage('en'), notAllowed)).to.equal('You do not have permission to end the session.');
      expect(say(french, phrase('my-rooms:errors.tooMany', { count: 3 }))).to.equal('Vous avez déjà 3 salles, le maximum pour une personne.');
      expect(say(french, 'Déjà dans la langue')).to.equal('Déjà dans la langue');
    });
  });

  describe('AppError', () => {
    it('reads in English in code and logs, and is said in the person’s language where it is shown', () => {
      const error = new AppError(403, phrase('channels:errors.cannotStart'), { help: phrase('channels:errors.cannotStartHelp') });
      expect(error.message).to.equal('Your role in this channel does not let you start its meeting.');
      expect(error.help).to.equal('Channel managers and moderators start meetings. You can join once one of them has started it.');
      expect(error.say(translations.forLanguage('fr'))).to.deep.equal({
        message: 'Votre rôle dans cette chaîne ne vous permet pas de démarrer sa réunion.',
        help: "Les gestionnaires et les modérateurs de la chaîne démarrent les réunions. Vous pourrez la rejoindre dès que l'un d'eux l'aura démarrée.",
      });
      expect(new AppError(400, 'Déjà dit').say(translations.forLanguage('en'))).to.deep.equal({ message: 'Déjà dit', help: null });
    });
  });

  describe('parseInput', () => {
    const schema = z.object({ name: z.string().min(1, 'my-rooms:fields.name.required').max(3, 'my-rooms:fields.name.tooLong') });

    it('keeps the words of a schema in the person’s language as they are', () => {
      expect(() => parseInput(schema, { name: '' }, 'Pas créé.')).to.throw(ValidationError, 'Pas créé. Name: my-rooms:fields.name.required.');
    });

    it('says a phrase and the schema’s keys in the person’s language, with the values given for them; zod’s own words stay', () => {
      const french = translations.forLanguage('fr');
      const tooLong = catchValidation(() => parseInput(schema, { name: 'abcd' }, phrase('my-rooms:errors.notCreated'), { max: 3 }));
      expect(tooLong.message).to.equal('The room was not created. Name: must be at most 3 characters.');
      expect(tooLong.fields).to.deep.equal({ name: 'must be at most 3 characters' });
      expect(tooLong.say(french).message).to.equal("La salle n'a pas été créée. Name : doit comporter au plus 3 caractères.");
      expect(tooLong.sayFields(french)).to.deep.equal({ name: 'doit comporter au plus 3 caractères' });

      const zods = catchValidation(() => parseInput(schema, { name: 7 }, phrase('my-rooms:errors.notCreated')));
      expect(zods.sayFields(french).name).to.match(/^Invalid input/);
    });
  });

  describe('scriptJson', () => {
    it('writes JSON that cannot end a script element or start markup, and reads back the same', () => {
      const value = { text: '</script><script>alert(1)</script> & <!-- \u2028 \u2029', nested: ['<b>'] };
      const written = scriptJson(value);
      expect(written).to.not.match(/[<>&\u2028\u2029]/);
      expect(JSON.parse(written)).to.deep.equal(value);
    });
  });
});

function catchValidation(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}
