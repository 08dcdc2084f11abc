/**
 * uploadToken.add / get / list / upload / delete: how a file reaches Kaltura
 * before it becomes an entry's content. Chunks are appended in order; a chunk
 * may be sent again from an earlier position (resumeAt), never from beyond what
 * was received. A USER KS sees only its own tokens, as Kaltura's
 * restrictPeerToCurrentUser has it. Media is held in memory within the
 * emulator's budget, and an upload that would exceed it is refused.
 */
import { randomBytes } from 'node:crypto';
import { userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import { mediaBytesHeld, UploadTokenStatus, type EmulatorState, type UploadTokenRecord } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { filterPagerSchema, uploadTokenFilterSchema, uploadTokenObjectSchema, type UploadTokenFilter } from './kaltura-schemas.ts';
import { equalsWhenGiven, listResponse, within, type ListResponse } from './list-response.ts';
import type { UploadedFile } from './multipart-params.ts';
import { csvIntegers, csvValues, readBoolean, readInt, readObject, requireString, type Params } from './param-readers.ts';
import { seesAllUsers } from './session-verifier.ts';

export type KalturaUploadToken = Omit<UploadTokenRecord, 'content'> & { uploadedFileSize: number | null; objectType: 'KalturaUploadToken' };

export const uploadTokenActions: ServiceActions = {
  add: userAction(addUploadToken),
  get: userAction((call) => toKalturaUploadToken(findUploadToken(call, requireString(call.params, 'uploadTokenId'))), { widget: true }),
  list: userAction(listUploadTokens, { widget: true }),
  upload: userAction(uploadToToken),
  delete: userAction(deleteUploadToken),
};

/** A token whose file was given to an entry (media.addContent): Kaltura closes it. */
export function closeUploadToken(token: UploadTokenRecord, nowSeconds: number): void {
  token.status = UploadTokenStatus.CLOSED;
  token.content = Buffer.alloc(0);
  token.updatedAt = nowSeconds;
}

/** The token behind an id, as the session may see it (another user's is not found for a USER KS). */
export function findUploadToken({ data, session }: Pick<SessionCall, 'data' | 'session'>, id: string): UploadTokenRecord {
  const token = data.uploadTokens.get(id);
  if (!token || token.status === UploadTokenStatus.DELETED) throw apiError('UPLOAD_TOKEN_NOT_FOUND');
  if (!seesAllUsers(session) && token.userId !== session.userId) throw apiError('UPLOAD_TOKEN_NOT_FOUND');
  return token;
}

function toKalturaUploadToken({ content, ...token }: UploadTokenRecord): KalturaUploadToken {
  // Kaltura leaves uploadedFileSize null until the first chunk arrives.
  return { ...token, uploadedFileSize: token.status === UploadTokenStatus.PENDING ? null : content.length, objectType: 'KalturaUploadToken' };
}

function addUploadToken({ params, data, session, nowSeconds }: SessionCall): KalturaUploadToken {
  const input = readObject(params, 'uploadToken', ['KalturaUploadToken'], uploadTokenObjectSchema) ?? {};
  const token: UploadTokenRecord = {
    id: `0_${randomBytes(16).toString('hex')}`,
    partnerId: data.partner.id,
    userId: session.userId,
    status: UploadTokenStatus.PENDING,
    fileName: input.fileName,
    fileSize: input.fileSize,
    autoFinalize: input.autoFinalize === 1,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
    content: Buffer.alloc(0),
  };
  data.uploadTokens.set(token.id, token);
  return toKalturaUploadToken(token);
}

/**
 * resume=false starts the file over; resume=true appends at resumeAt (-1: at the end). A position
 * past what was received is refused, and so is resuming before anything was received.
 */
function uploadToToken(call: SessionCall): KalturaUploadToken {
  const { params, state, nowSeconds } = call;
  const token = findUploadToken(call, requireString(params, 'uploadTokenId'));
  if (token.status !== UploadTokenStatus.PENDING && token.status !== UploadTokenStatus.PARTIAL_UPLOAD) throw apiError('UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD');
  const chunk = requireFile(params, 'fileData');
  const resume = readBoolean(params, 'resume') ?? false;
  const finalChunk = readBoolean(params, 'finalChunk') ?? true;
  const resumeAt = readInt(params, 'resumeAt') ?? -1;
  const kept = resume ? keptBytes(token, resumeAt) : 0;
  assertWithinBudget(state, chunk.size - (token.content.length - kept));
  token.content = Buffer.concat([token.content.subarray(0, kept), chunk.content]);
  token.fileName ??= chunk.name;
  token.status = finalChunk || reachedDeclaredSize(token) ? UploadTokenStatus.FULL_UPLOAD : UploadTokenStatus.PARTIAL_UPLOAD;
  token.updatedAt = nowSeconds;
  return toKalturaUploadToken(token);
}

function keptBytes(token: UploadTokenRecord, resumeAt: number): number {
  if (token.status === UploadTokenStatus.PENDING) throw apiError('UPLOAD_TOKEN_CANNOT_RESUME');
  if (resumeAt === -1) return token.content.length;
  if (resumeAt < 0 || resumeAt > token.content.length) throw apiError('UPLOAD_TOKEN_RESUMING_INVALID_POSITION');
  return resumeAt;
}

/** autoFinalize: the token completes itself when the declared size has arrived. */
function reachedDeclaredSize(token: UploadTokenRecord): boolean {
  return token.autoFinalize && token.fileSize !== undefined && token.content.length >= token.fileSize;
}

function assertWithinBudget(state: EmulatorState, addedBytes: number): void {
  if (addedBytes > 0 && mediaBytesHeld(state) + addedBytes > state.mediaBudgetBytes) throw apiError('UPLOAD_ERROR');
}

function requireFile(params: Params, name: string): UploadedFile {
  const value = params[name];
  if (typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).content)) return value as UploadedFile;
  // Kaltura's PHP sees no file in $_FILES: the upload failed.
  if (value === undefined || value === null) throw apiError('MISSING_MANDATORY_PARAMETER', { PARAM_NAME: name });
  throw apiError('UPLOAD_ERROR');
}

function listUploadTokens({ params, data, session }: SessionCall): ListResponse<KalturaUploadToken> {
  const filter = readObject(params, 'filter', ['KalturaUploadTokenFilter'], uploadTokenFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.uploadTokens.values()]
    .filter((token) => token.status !== UploadTokenStatus.DELETED)
    .filter((token) => seesAllUsers(session) || token.userId === session.userId)
    .filter((token) => matchesUploadTokenFilter(token, filter))
    .map(toKalturaUploadToken);
  return listResponse('KalturaUploadTokenListResponse', matches, pager, { orderBy: filter.orderBy, fields: { createdAt: (token) => token.createdAt } });
}

function deleteUploadToken(call: SessionCall): void {
  const token = findUploadToken(call, requireString(call.params, 'uploadTokenId'));
  token.status = UploadTokenStatus.DELETED;
  token.content = Buffer.alloc(0);
  token.updatedAt = call.nowSeconds;
}

function matchesUploadTokenFilter(token: UploadTokenRecord, filter: UploadTokenFilter): boolean {
  return (
    equalsWhenGiven(filter.idEqual, token.id) &&
    within(csvValues(filter.idIn), token.id) &&
    equalsWhenGiven(filter.userIdEqual, token.userId) &&
    equalsWhenGiven(filter.statusEqual, token.status) &&
    within(csvIntegers(filter.statusIn), token.status) &&
    equalsWhenGiven(filter.fileNameEqual, token.fileName) &&
    equalsWhenGiven(filter.fileSizeEqual, token.fileSize)
  );
}
