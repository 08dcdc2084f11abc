/**
 * Errors are modelled once here and turned into a page or JSON in one place
 * (src/lib/http/error-handler.ts). `message` is written for the person who
 * sees it; `help` says what they can do about it.
 */
export interface AppErrorOptions {
  help?: string;
  code?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly help: string | undefined;

  constructor(status: number, message: string, { help, code, cause }: AppErrorOptions = {}) {
    super(message, { cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code ?? defaultCode(status);
    this.help = help;
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
  readonly fields: Record<string, string>;
  constructor(message: string, fields: Record<string, string> = {}, options: AppErrorOptions = {}) {
    super(400, message, { code: 'VALIDATION_FAILED', ...options });
    this.fields = fields;
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(401, message, options);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(403, message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(404, message, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(409, message, options);
  }
}

/** Kaltura failed us: it answered an error we did not expect, answered garbage, or did not answer in time. */
export class UpstreamError extends AppError {
  constructor(message: string, options: AppErrorOptions & { timeout?: boolean } = {}) {
    super(options.timeout ? 504 : 502, message, options);
  }
}
