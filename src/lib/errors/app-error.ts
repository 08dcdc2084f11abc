/**
 * Errors are modelled once here and turned into a page or JSON in one place
 * (src/lib/http/error-handler.ts). `message` is written for the person who
 * sees it; `help` says what they can do about it. Either is given as text
 * already in the person's language, or as a phrase (src/lib/i18n/phrase.ts)
 * that the error handler says in it: code without a request names its words
 * that way, and its `message` and `help` read in English meanwhile.
 */
import type { TFunction } from 'i18next';
import { inEnglish } from '../i18n/i18n.ts';
import { say, type Text } from '../i18n/phrase.ts';

export interface AppErrorOptions {
  help?: Text;
  code?: string;
  cause?: unknown;
  /** The error page's title, when the status's own would mislead (a 502 from Stripe is not Kaltura's). */
  title?: Text;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  /** The help as given; a phrase reads here in English (`say` puts it into the person's words). */
  readonly help: string | undefined;
  /** Message and help as given, before they are put into the person's language. */
  readonly text: { readonly message: Text; readonly help: Text | undefined; readonly title?: Text };

  constructor(status: number, message: Text, { help, code, cause, title }: AppErrorOptions = {}) {
    super(say(inEnglish(), message), { cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code ?? defaultCode(status);
    this.help = help === undefined ? undefined : say(inEnglish(), help);
    this.text = { message, help, ...(title !== undefined && { title }) };
  }

  /** Message and help in the language of `t`. */
  say(t: TFunction): { message: string; help: string | null } {
    return { message: say(t, this.text.message), help: this.text.help === undefined ? null : say(t, this.text.help) };
  }
}

function defaultCode(status: number): string {
  return (
    {
      400: 'BAD_REQUEST',
      401: 'UNAUTHORIZED',
      403: 'FORBIDDEN',
      404: 'NOT_FOUND',
      409: 'CONFLICT',
      413: 'PAYLOAD_TOO_LARGE',
      429: 'TOO_MANY_REQUESTS',
      502: 'UPSTREAM_ERROR',
      504: 'UPSTREAM_TIMEOUT',
    }[status] ?? 'INTERNAL_ERROR'
  );
}

export class ValidationError extends AppError {
  /** Each field's problem as given; phrases read here in English (`sayFields` puts them into the person's words). */
  readonly fields: Record<string, string>;
  readonly #fieldTexts: Record<string, Text>;

  constructor(message: Text, fields: Record<string, Text> = {}, options: AppErrorOptions = {}) {
    super(400, message, { code: 'VALIDATION_FAILED', ...options });
    this.#fieldTexts = fields;
    this.fields = Object.fromEntries(Object.entries(fields).map(([field, problem]) => [field, say(inEnglish(), problem)]));
  }

  /** Each field's problem in the language of `t`. */
  sayFields(t: TFunction): Record<string, string> {
    return Object.fromEntries(Object.entries(this.#fieldTexts).map(([field, problem]) => [field, say(t, problem)]));
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: Text, options: AppErrorOptions = {}) {
    super(401, message, options);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: Text, options: AppErrorOptions = {}) {
    super(403, message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: Text, options: AppErrorOptions = {}) {
    super(404, message, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: Text, options: AppErrorOptions = {}) {
    super(409, message, options);
  }
}

/** Kaltura failed us: it answered an error we did not expect, answered garbage, or did not answer in time. */
export class UpstreamError extends AppError {
  constructor(message: Text, options: AppErrorOptions & { timeout?: boolean } = {}) {
    super(options.timeout ? 504 : 502, message, options);
  }
}
