/**
 * Multipart uploads through multer, streamed to a temporary folder inside the
 * data folder (never held in memory), with the limits from config. A request
 * over a limit is answered 413 naming the limit; whatever was written of it is
 * removed. Handlers move what they keep out of the temporary folder; the rest
 * is removed when the response ends, so a failed upload leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import type { TFunction } from 'i18next';
import multer from 'multer';
import { AppError, ValidationError } from '../errors/app-error.ts';
import { allowUploadTime } from './request-deadline.ts';

export interface UploadLimits {
  /** The form field that carries the file(s). */
  field: string;
  maxBytes: number;
  maxFiles: number;
  /**
   * What the form holds besides its files: how many fields (its hidden ones included) and the
   * largest one's bytes (64 KB unless said). A form is refused past that, so each route says what its own form holds.
   */
  form: { fields: number; fieldBytes?: number };
  tmpDir: string;
  /** Every upload route has one, so that nobody sends upload after upload without end; it runs before a byte of the body is read. */
  rateLimit: RequestHandler;
}

export interface UploadedFile {
  /** The name the browser gave; display only, never a path. */
  originalName: string;
  path: string;
  bytes: number;
  /** What the browser claims; check the content where it matters. */
  mimeType: string;
}

export function acceptUploads({ field, maxBytes, maxFiles, form, tmpDir, rateLimit }: UploadLimits): RequestHandler {
  mkdirSync(tmpDir, { recursive: true });
  // Each request writes into a folder of its own, removed whole when the response is done: a file
  // cut short by a client that went away is not listed in req.files, but it is in that folder.
  const folders = new WeakMap<Request, string>();
  const upload = multer({
    storage: multer.diskStorage({
      destination: (req, _file, done) => done(null, folders.get(req as Request) ?? tmpDir),
      filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`),
    }),
    limits: { fileSize: maxBytes, files: maxFiles, fields: form.fields, fieldSize: form.fieldBytes ?? 64 * 1024, parts: maxFiles + form.fields },
  }).array(field, maxFiles);

  const receive: RequestHandler = (req, res, next) => {
    const folder = path.join(tmpDir, randomUUID());
    mkdirSync(folder, { recursive: true });
    folders.set(req, folder);
    // Temporary files go when the response is done, whatever happened in between.
    res.on('close', () => rmSync(folder, { recursive: true, force: true }));
    // Who may upload what has been checked by now: a large file on a slow line may take its time.
    allowUploadTime(req);
    upload(req, res, (error: unknown) => {
      if (!error) return next();
      next(toUploadError(req.t, error, maxBytes, maxFiles));
    });
  };
  return (req, res, next) => rateLimit(req, res, (error?: unknown) => (error ? next(error) : receive(req, res, next)));
}

/**
 * Runs an acceptUploads handler inside a route, so the route can show an upload's problem
 * (413 over the limit) on its own form instead of the error page.
 */
export function receiveUploads(upload: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    upload(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

/** What every picture upload route is given: the size limit, where uploads land, and the upload rate limit. */
export interface ImageUploads {
  maxImageBytes: number;
  tmpDir: string;
  rateLimit: RequestHandler;
}

export interface OneFileUpload extends Omit<UploadLimits, 'maxFiles'> {
  /** Translation keys of what the person is told: a file over the limit (`max` names it), how to fix that, and no file at all. */
  messages: { tooLarge: string; tooLargeHelp: string; missing: string };
}

/**
 * One file from a form, read inside its route so the route can show a problem on its own form:
 * a file over the limit is a 413, a missing or empty one an error of the form's field, both in
 * the person's language.
 */
export function acceptOneFile({ messages, ...limits }: OneFileUpload): (req: Request, res: Response) => Promise<UploadedFile> {
  const upload = acceptUploads({ ...limits, maxFiles: 1 });
  const max = formatBytes(limits.maxBytes);
  return async (req, res) => {
    await receiveUploads(upload, req, res).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'FILE_TOO_LARGE') {
        throw new AppError(413, req.t(messages.tooLarge, { max }), { code: 'FILE_TOO_LARGE', help: req.t(messages.tooLargeHelp) });
      }
      throw error;
    });
    const [file] = uploadedFiles(req);
    if (!file || file.bytes === 0) throw new ValidationError(req.t(messages.missing), { [limits.field]: req.t(messages.missing) });
    return file;
  };
}

/** The files of the request, as this service describes them. */
export function uploadedFiles(req: { files?: unknown }): UploadedFile[] {
  return ((req.files as Express.Multer.File[] | undefined) ?? []).map((file) => ({
    originalName: Buffer.from(file.originalname, 'latin1').toString('utf8'),
    path: file.path,
    bytes: file.size,
    mimeType: file.mimetype,
  }));
}

function toUploadError(t: TFunction, error: unknown, maxBytes: number, maxFiles: number): AppError {
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return new AppError(413, t('common:uploads.fileTooLarge', { max: formatBytes(maxBytes) }), { code: 'FILE_TOO_LARGE', help: t('common:uploads.fileTooLargeHelp') });
    if (error.code === 'LIMIT_FILE_COUNT') return new AppError(413, t('common:uploads.tooManyFiles', { count: maxFiles }), { code: 'TOO_MANY_FILES' });
    if (error.code === 'LIMIT_UNEXPECTED_FILE') return new ValidationError(t('common:uploads.unexpectedFile'), { [error.field ?? 'file']: t('common:uploads.unexpectedFile') });
    if (error.code === 'LIMIT_FIELD_COUNT' || error.code === 'LIMIT_PART_COUNT' || error.code === 'LIMIT_FIELD_VALUE') {
      return new AppError(413, t('common:uploads.formTooLarge'), { code: 'FORM_TOO_LARGE', cause: error });
    }
    return new ValidationError(t('common:uploads.unreadable'), {}, { cause: error });
  }
  const message = (error as Error | undefined)?.message ?? '';
  if (/Unexpected end of form|Multipart: Boundary not found|Malformed part header/i.test(message)) {
    return new ValidationError(t('common:uploads.cutShort'), {}, { cause: error });
  }
  return new AppError(500, t('common:uploads.notStored'), { code: 'UPLOAD_FAILED', cause: error });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${+(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
