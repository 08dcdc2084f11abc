/**
 * What the files pages and the room's files panel show: sizes, dates and
 * types in the reader's language, addresses of every action, and the
 * download response itself.
 */
import { stat } from 'node:fs/promises';
import type { Response } from 'express';
import type { TFunction } from 'i18next';
import { NotFoundError } from '../lib/errors/app-error.ts';
import type { Text } from '../lib/i18n/phrase.ts';
import { contentDisposition, extensionOf } from './file-names.ts';
import type { Download, FolderChoice } from './files-service.ts';
import type { StoredFile } from './file-store.ts';
import type { Folder } from './folder-store.ts';

export function formatSize(bytes: number, language: string, t: TFunction): string {
  const number = (value: number) => new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
  if (bytes >= 1024 ** 3) return t('files:size.gb', { value: number(bytes / 1024 ** 3) });
  if (bytes >= 1024 ** 2) return t('files:size.mb', { value: number(bytes / 1024 ** 2) });
  if (bytes >= 1024) return t('files:size.kb', { value: number(bytes / 1024) });
  return t('files:size.bytes', { count: bytes, value: number(bytes) });
}

export function formatDate(time: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(time));
}

export const urls = {
  course: (courseId: string) => `/backend/courses/${courseId}/files`,
  folder: (courseId: string, folderId: string | null, query: Record<string, string | number> = {}) => {
    const search = new URLSearchParams(Object.entries({ ...(folderId ? { folder: folderId } : {}), ...query }).map(([key, value]) => [key, String(value)]));
    const text = search.toString();
    return `/backend/courses/${courseId}/files${text ? `?${text}` : ''}`;
  },
  upload: (courseId: string, folderId: string | null) => `/backend/courses/${courseId}/files/upload${folderId ? `?folder=${folderId}` : ''}`,
  download: (courseId: string, fileId: string) => `/backend/courses/${courseId}/files/${fileId}/download`,
  editFile: (courseId: string, fileId: string) => `/backend/courses/${courseId}/files/${fileId}/edit`,
  fileAction: (courseId: string, fileId: string, action: 'rename' | 'move' | 'delete') => `/backend/courses/${courseId}/files/${fileId}/${action}`,
  newFolder: (courseId: string) => `/backend/courses/${courseId}/folders`,
  editFolder: (courseId: string, folderId: string) => `/backend/courses/${courseId}/folders/${folderId}/edit`,
  folderAction: (courseId: string, folderId: string, action: 'rename' | 'move' | 'delete') => `/backend/courses/${courseId}/folders/${folderId}/${action}`,
  roomFile: (roomId: string, fileId: string) => `/rooms/${roomId}/files/${fileId}`,
};

/** A file as a row of a page. */
export function fileRow(courseId: string, file: StoredFile, language: string, t: TFunction) {
  const extension = extensionOf(file.name);
  return {
    id: file.id,
    name: file.name,
    size: formatSize(file.bytes, language, t),
    type: extension ? extension.toUpperCase() : t('files:typeUnknown'),
    uploader: file.uploaderName ?? t('files:uploaderUnknown'),
    date: formatDate(file.createdAt, language),
    isoDate: new Date(file.createdAt).toISOString(),
    downloadHref: urls.download(courseId, file.id),
    editHref: urls.editFile(courseId, file.id),
  };
}

/** A file as JSON for API callers and the upload script. */
export function fileJson(courseId: string, file: StoredFile) {
  return {
    id: file.id,
    name: file.name,
    folderId: file.folderId,
    bytes: file.bytes,
    contentType: file.contentType,
    uploadedBy: file.uploadedBy,
    uploaderName: file.uploaderName,
    createdAt: file.createdAt,
    updatedAt: file.updatedAt,
    downloadUrl: urls.download(courseId, file.id),
  };
}

export function folderJson(folder: Folder) {
  return { id: folder.id, name: folder.name, parentId: folder.parentId, createdAt: folder.createdAt, updatedAt: folder.updatedAt };
}

/** A place in the course for a "move to" list: the top level under the course's name, folders by their path. */
export function choiceLabel(choice: FolderChoice, courseName: string): string {
  return [courseName, ...choice.path].join(' / ');
}

/**
 * Sends a stored file as a download: always an attachment, under its sanitised name, with a
 * type the browser will not sniff into a page, and no script may run even if it were opened.
 */
export async function sendDownload(res: Response, download: Download, missingMessage: Text): Promise<void> {
  // Checked first: an error page sent after the download's headers would carry their sandbox.
  if (!(await stat(download.path).catch(() => null))?.isFile()) throw new NotFoundError(missingMessage, { code: 'FILE_BYTES_MISSING' });
  res.set({
    'Content-Type': download.contentType,
    'Content-Disposition': contentDisposition(download.name),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-store',
  });
  await new Promise<void>((resolve, reject) => {
    // The path is the service's own (data folder and random key): a data folder under a dot-folder is fine.
    res.sendFile(download.path, { dotfiles: 'allow', cacheControl: false, lastModified: false }, (error?: Error) => {
      // A person who cancels a download is no error of ours.
      if (!error || res.headersSent) return resolve();
      reject(error);
    });
  });
}
