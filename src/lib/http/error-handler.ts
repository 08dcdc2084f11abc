/**
 * The one place errors become responses: a page for browsers, JSON for API
 * callers, in the person's language. People see the message and the hint;
 * stack traces appear only in development, and only on the page.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { TFunction } from 'i18next';
import type { Logger } from '../logger/logger.ts';
import { withoutSecrets } from '../logger/redact.ts';
import { AppError, NotFoundError, ValidationError } from '../errors/app-error.ts';
import { phrase, say } from '../i18n/phrase.ts';
import type { LanguageChooser } from '../i18n/i18n.ts';

const messages = {
  noPage: phrase('common:httpErrors.noPage'),
  csrf: phrase('common:httpErrors.csrf'),
  csrfHelp: phrase('common:httpErrors.csrfHelp'),
  tooLarge: phrase('common:httpErrors.tooLarge'),
  notWellFormed: phrase('common:httpErrors.notWellFormed'),
  couldNotParse: phrase('common:httpErrors.couldNotParse'),
  notHandled: phrase('common:httpErrors.notHandled'),
  internal: phrase('common:httpErrors.internal'),
  internalHelp: phrase('common:httpErrors.internalHelp'),
};

/** Statuses with a title of their own on the error page (common:errorPage.<status>); others get the 500's. */
const TITLED_STATUSES = new Set([400, 401, 403, 404, 409, 413, 429, 500, 502, 504]);

export function notFoundHandler(): RequestHandler {
  return () => {
    throw new NotFoundError(messages.noPage, { code: 'ROUTE_NOT_FOUND' });
  };
}

export function createErrorHandler(logger: Logger, { showStack, languages }: { showStack: boolean; languages: LanguageChooser }): ErrorRequestHandler {
  return async (error, req, res, _next) => {
    const appError = toAppError(error);
    if (appError.status >= 500) logger.error({ err: error, url: withoutSecrets(req.originalUrl) }, 'request failed');
    if (res.headersSent) return;
    const t = await languageOf(req, res, languages);
    const { message, help } = appError.say(t);
    const fields = appError instanceof ValidationError ? appError.sayFields(t) : {};
    const body = { error: { code: appError.code, message, ...(help && { help }), ...(appError instanceof ValidationError && { fields }) } };
    res.status(appError.status);
    res.format({
      html: () => {
        // Someone outside the rooms backend signs in through MediaSpace; inside it, the backend's own sign-in.
        const titleKey = appError.status === 401 && !res.locals.backend ? 'signInThroughMediaSpace' : TITLED_STATUSES.has(appError.status) ? String(appError.status) : '500';
        res.render('errors/error', {
          title: appError.text.title === undefined ? t(`common:errorPage.${titleKey}`) : say(t, appError.text.title),
          status: appError.status,
          message,
          help,
          fields,
          stack: showStack && appError.status >= 500 ? String((error as Error)?.stack ?? '') : null,
          // A way on from every error page: the backend's courses from inside it (unless that is what failed), else the start page.
          back: res.locals.backend && req.path !== '/backend/courses' ? { href: '/backend/courses', text: t('common:errorPage.backToCourses') } : { href: '/', text: t('common:errorPage.backHome') },
          // Inside MediaSpace's frame (the channel card, the room) a refusal is a short message, not a page with a second header.
          framed: req.get('sec-fetch-dest') === 'iframe',
        });
      },
      json: () => res.json(body),
      default: () => res.type('text/plain').send(message),
    });
  };
}

/** The person's language; an error before the language middleware, or while reading the profile, speaks the browser's. */
async function languageOf(req: Request, res: Response, languages: LanguageChooser): Promise<TFunction> {
  if (typeof req.resolveLanguage === 'function') {
    await req.resolveLanguage().catch(() => undefined);
    return req.t;
  }
  const language = languages.browser(req.get('accept-language'));
  res.locals.language = language;
  res.locals.t = languages.t(language);
  return res.locals.t as TFunction;
}

/** Body-parser, CSRF and rate-limit errors carry their own status; anything unknown is a 500 with no details leaked. */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const candidate = error as { status?: number; statusCode?: number; type?: string; code?: string } | null;
  const status = candidate?.status ?? candidate?.statusCode;
  if (candidate?.code === 'EBADCSRFTOKEN' || candidate?.code === 'CSRF_INVALID') {
    return new AppError(403, messages.csrf, { code: 'CSRF_INVALID', help: messages.csrfHelp });
  }
  if (candidate?.type === 'entity.too.large') return new AppError(413, messages.tooLarge, { code: 'PAYLOAD_TOO_LARGE' });
  if (candidate?.type === 'entity.parse.failed') return new ValidationError(messages.notWellFormed, { body: messages.couldNotParse });
  if (status && status >= 400 && status < 500) return new AppError(status, messages.notHandled);
  return new AppError(500, messages.internal, { code: 'INTERNAL_ERROR', help: messages.internalHelp, cause: error });
}
