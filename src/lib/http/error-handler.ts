/**
 * The one place errors become responses: a page for browsers, JSON for API
 * callers. People see the message and the hint; stack traces appear only in
 * development, and only on the page.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger/logger.ts';
import { AppError, NotFoundError, ValidationError } from '../errors/app-error.ts';

const TITLES: Record<number, string> = {
  400: 'Something in the request is not right',
  401: 'Please sign in through MediaSpace',
  403: 'You do not have access to this',
  404: 'Not found',
  409: 'Someone else changed this first',
  413: 'That is too large',
  429: 'Too many requests',
  502: 'Kaltura is not answering properly',
  504: 'Kaltura did not answer in time',
};

export function notFoundHandler(): RequestHandler {
  return (req) => {
    throw new NotFoundError('There is no page at this address.', { code: 'ROUTE_NOT_FOUND' });
  };
}

export function createErrorHandler(logger: Logger, { showStack }: { showStack: boolean }): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    if (appError.status >= 500) logger.error({ err: error, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    const body = {
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.help && { help: appError.help }),
        ...(appError instanceof ValidationError && { fields: appError.fields }),
      },
    };
    res.status(appError.status);
    res.format({
      html: () =>
        res.render('errors/error', {
          title: TITLES[appError.status] ?? 'Something went wrong',
          status: appError.status,
          message: appError.message,
          help: appError.help ?? null,
          fields: appError instanceof ValidationError ? appError.fields : {},
          stack: showStack && appError.status >= 500 ? String((error as Error)?.stack ?? '') : null,
        }),
      json: () => res.json(body),
      default: () => res.type('text/plain').send(appError.message),
    });
  };
}

/** Body-parser, CSRF and rate-limit errors carry their own status; anything unknown is a 500 with no details leaked. */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const candidate = error as { status?: number; statusCode?: number; type?: string; code?: string } | null;
  const status = candidate?.status ?? candidate?.statusCode;
  if (candidate?.code === 'EBADCSRFTOKEN' || candidate?.code === 'CSRF_INVALID') {
    return new AppError(403, 'This form has expired or did not come from Live Rooms.', { code: 'CSRF_INVALID', help: 'Go back, reload the page and try again.' });
  }
  if (candidate?.type === 'entity.too.large') return new AppError(413, 'What was sent is larger than this service accepts.', { code: 'PAYLOAD_TOO_LARGE' });
  if (candidate?.type === 'entity.parse.failed') return new ValidationError('What was sent is not well-formed.', { body: 'could not be parsed' });
  if (status && status >= 400 && status < 500) return new AppError(status, 'This request could not be handled.');
  return new AppError(500, 'Something went wrong on our side.', { code: 'INTERNAL_ERROR', help: 'Try again in a moment.', cause: error });
}
