/**
 * Kaltura's media calls, for publishing recordings: upload tokens (chunked,
 * resumable), media entries found by their reference id, their content, their
 * place in a category, and their deletion. Part of the KalturaGateway: the
 * same client, admin KS and failure translation; Kaltura's codes that mean
 * something to a caller are turned into AppErrors here, once.
 */
import kaltura from 'kaltura-client';
import { z } from 'zod';
import { ConflictError, NotFoundError, UpstreamError, type AppError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';

type Request = ReturnType<typeof kaltura.services.session.get>;
type ErrorMap = Record<string, () => AppError>;

/** What the gateway lends these calls: one admin call, with Kaltura's failures mapped. */
export interface MediaTransport {
  adminCall(build: (ks: string) => Request, errors?: ErrorMap, options?: { upload?: boolean }): Promise<unknown>;
  parse<T>(schema: z.ZodType<T>, value: unknown): T;
}

export interface UploadTokenInfo {
  id: string;
  /** Bytes Kaltura holds for this token. */
  uploadedBytes: number;
  /** Every byte arrived (finalChunk sent): the token can become an entry's content. */
  complete: boolean;
}

export interface MediaEntryInfo {
  id: string;
  referenceId: string | null;
  /** The entry has its file (it was given its content). */
  hasContent: boolean;
  downloadUrl: string | null;
}

export interface NewMediaEntry {
  name: string;
  /** The entry's owner in Kaltura; without one, the admin session's. */
  userId?: string;
  referenceId: string;
}

export type CategoryEntryState = 'active' | 'pending';

export interface KalturaMediaGateway {
  /** An upload token for this file name that is still open (not used, not deleted), if Kaltura has one. */
  findOpenUploadToken(fileName: string): Promise<UploadTokenInfo | null>;
  createUploadToken(fileName: string, fileSize: number): Promise<UploadTokenInfo>;
  /** Sends bytes from `resumeAt` on (0: the start); `finalChunk` completes the file. */
  uploadChunk(tokenId: string, chunk: Buffer, position: { resumeAt: number; finalChunk: boolean }): Promise<UploadTokenInfo>;
  findMediaEntryByReference(referenceId: string): Promise<MediaEntryInfo | null>;
  createMediaEntry(entry: NewMediaEntry): Promise<MediaEntryInfo>;
  addMediaContent(entryId: string, uploadTokenId: string): Promise<MediaEntryInfo>;
  /** Puts the entry in the category; a moderated one keeps it pending. Already there counts as active. */
  addToCategory(entryId: string, categoryId: number): Promise<CategoryEntryState>;
  /** The id of the category with this full name ("MediaSpace>site>recordings"), if there is one. */
  findCategoryIdByFullName(fullName: string): Promise<number | null>;
  /** Deletes the entry; one Kaltura no longer has counts as deleted. */
  deleteMediaEntry(entryId: string): Promise<void>;
}

const UPLOAD_TOKEN_STATUS = { PENDING: 0, PARTIAL_UPLOAD: 1, FULL_UPLOAD: 2 } as const;
const CATEGORY_ENTRY_PENDING = 1;
const MEDIA_TYPE_VIDEO = 1;

const uploadTokenSchema = z.object({ id: z.string().min(1), status: z.coerce.number(), uploadedFileSize: z.coerce.number().nullish() });
const mediaEntrySchema = z.object({ id: z.string().min(1), status: z.coerce.number(), referenceId: z.string().nullish(), downloadUrl: z.string().nullish() });
const categoryEntrySchema = z.object({ status: z.coerce.number() });
const idListSchema = z.object({ objects: z.array(z.object({ id: z.coerce.number() })).nullish() });
const listOf = <T extends z.ZodType>(item: T) => z.object({ objects: z.array(item).nullish().transform((objects) => objects ?? []) });

/** Entry statuses before content arrives (NO_CONTENT, and PENDING for older partners). */
const NO_CONTENT_STATUSES = new Set([7, 4]);

const messages = {
  entryNotFound: phrase('kaltura:errors.entryNotFound'),
  categoryNotFound: phrase('kaltura:errors.categoryNotFound'),
  uploadTokenNotFound: phrase('kaltura:errors.uploadTokenNotFound'),
  uploadPosition: phrase('kaltura:errors.uploadPosition'),
  uploadRefused: phrase('kaltura:errors.uploadRefused'),
  retryHelp: phrase('kaltura:errors.retryHelp'),
};

/** The Kaltura codes that say something a caller acts on, with the AppError code it reads. */
export const MEDIA_ERROR_CODES = {
  entryNotFound: 'KALTURA_ENTRY_NOT_FOUND',
  categoryNotFound: 'KALTURA_CATEGORY_NOT_FOUND',
  uploadTokenNotFound: 'KALTURA_UPLOAD_TOKEN_NOT_FOUND',
  uploadPosition: 'KALTURA_UPLOAD_POSITION',
} as const;

const entryErrors: ErrorMap = {
  ENTRY_ID_NOT_FOUND: () => new NotFoundError(messages.entryNotFound, { code: MEDIA_ERROR_CODES.entryNotFound }),
  INVALID_ENTRY_ID: () => new NotFoundError(messages.entryNotFound, { code: MEDIA_ERROR_CODES.entryNotFound }),
};
const uploadErrors: ErrorMap = {
  UPLOAD_TOKEN_NOT_FOUND: () => new NotFoundError(messages.uploadTokenNotFound, { code: MEDIA_ERROR_CODES.uploadTokenNotFound }),
  // The token was used, or finished, meanwhile: what it holds is no longer ours to add to.
  UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD: () => new NotFoundError(messages.uploadTokenNotFound, { code: MEDIA_ERROR_CODES.uploadTokenNotFound }),
  UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY: () => new NotFoundError(messages.uploadTokenNotFound, { code: MEDIA_ERROR_CODES.uploadTokenNotFound }),
  UPLOAD_TOKEN_CANNOT_RESUME: () => new ConflictError(messages.uploadPosition, { code: MEDIA_ERROR_CODES.uploadPosition }),
  UPLOAD_TOKEN_RESUMING_INVALID_POSITION: () => new ConflictError(messages.uploadPosition, { code: MEDIA_ERROR_CODES.uploadPosition }),
  UPLOAD_ERROR: () => new UpstreamError(messages.uploadRefused, { help: messages.retryHelp, code: 'KALTURA_UPLOAD_REFUSED' }),
};
const categoryErrors: ErrorMap = {
  ...entryErrors,
  CATEGORY_NOT_FOUND: () => new NotFoundError(messages.categoryNotFound, { code: MEDIA_ERROR_CODES.categoryNotFound }),
};

export function createMediaCalls({ adminCall, parse }: MediaTransport): KalturaMediaGateway {
  const toToken = (value: unknown): UploadTokenInfo => {
    const token = parse(uploadTokenSchema, value);
    return { id: token.id, uploadedBytes: token.uploadedFileSize ?? 0, complete: token.status === UPLOAD_TOKEN_STATUS.FULL_UPLOAD };
  };
  const toEntry = (value: unknown): MediaEntryInfo => {
    const entry = parse(mediaEntrySchema, value);
    return { id: entry.id, referenceId: entry.referenceId ?? null, hasContent: !NO_CONTENT_STATUSES.has(entry.status), downloadUrl: entry.downloadUrl ?? null };
  };

  return {
    async findOpenUploadToken(fileName) {
      const statusIn = [UPLOAD_TOKEN_STATUS.PENDING, UPLOAD_TOKEN_STATUS.PARTIAL_UPLOAD, UPLOAD_TOKEN_STATUS.FULL_UPLOAD].join(',');
      const filter = new kaltura.objects.UploadTokenFilter({ fileNameEqual: fileName, statusIn, orderBy: '-createdAt' });
      const list = parse(listOf(z.unknown()), await adminCall((ks) => kaltura.services.uploadToken.listAction(filter).setKs(ks)));
      return list.objects[0] === undefined ? null : toToken(list.objects[0]);
    },

    async createUploadToken(fileName, fileSize) {
      const token = new kaltura.objects.UploadToken({ fileName, fileSize });
      return toToken(await adminCall((ks) => kaltura.services.uploadToken.add(token).setKs(ks)));
    },

    async uploadChunk(tokenId, chunk, { resumeAt, finalChunk }) {
      // resume=false starts the file over, so the first chunk is sent that way and every later one resumes at its offset.
      const resume = resumeAt > 0;
      const answer = await adminCall((ks) => kaltura.services.uploadToken.upload(tokenId, chunk, resume, finalChunk, resume ? resumeAt : -1).setKs(ks), uploadErrors, {
        upload: true,
      });
      return toToken(answer);
    },

    async findMediaEntryByReference(referenceId) {
      const filter = new kaltura.objects.MediaEntryFilter({ referenceIdEqual: referenceId, orderBy: '+createdAt' });
      const list = parse(listOf(z.unknown()), await adminCall((ks) => kaltura.services.media.listAction(filter).setKs(ks)));
      return list.objects[0] === undefined ? null : toEntry(list.objects[0]);
    },

    async createMediaEntry({ name, userId, referenceId }) {
      const entry = new kaltura.objects.MediaEntry({ name, referenceId, mediaType: MEDIA_TYPE_VIDEO, ...(userId ? { userId } : {}) });
      return toEntry(await adminCall((ks) => kaltura.services.media.add(entry).setKs(ks)));
    },

    async addMediaContent(entryId, uploadTokenId) {
      const resource = new kaltura.objects.UploadedFileTokenResource({ token: uploadTokenId });
      return toEntry(await adminCall((ks) => kaltura.services.media.addContent(entryId, resource).setKs(ks), { ...entryErrors, ...uploadErrors }));
    },

    async addToCategory(entryId, categoryId) {
      const link = new kaltura.objects.CategoryEntry({ entryId, categoryId });
      try {
        const added = parse(categoryEntrySchema, await adminCall((ks) => kaltura.services.categoryEntry.add(link).setKs(ks), categoryErrors));
        return added.status === CATEGORY_ENTRY_PENDING ? 'pending' : 'active';
      } catch (error) {
        // Added by an earlier attempt whose answer was lost.
        if (isKalturaCode(error, 'CATEGORY_ENTRY_ALREADY_EXISTS')) return 'active';
        throw error;
      }
    },

    async findCategoryIdByFullName(fullName) {
      const filter = new kaltura.objects.CategoryFilter({ fullNameEqual: fullName });
      const list = parse(idListSchema, await adminCall((ks) => kaltura.services.category.listAction(filter).setKs(ks)));
      return list.objects?.[0]?.id ?? null;
    },

    async deleteMediaEntry(entryId) {
      try {
        await adminCall((ks) => kaltura.services.media.deleteAction(entryId).setKs(ks), entryErrors);
      } catch (error) {
        if ((error as AppError | null)?.code !== MEDIA_ERROR_CODES.entryNotFound) throw error;
      }
    },
  };
}

function isKalturaCode(error: unknown, code: string): boolean {
  return (error as { kalturaCode?: unknown } | null)?.kalturaCode === code;
}
