/**
 * A course's files inside its live room, for the instructors there to share:
 * the panel the room page shows (views/rooms/_files.ejs) and the download
 * route behind its links. Both are decided by the room pass alone, as
 * everything in the room is: a pass of this room with the manageFiles
 * permission.
 */
import { Router, type Request } from 'express';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { ForbiddenError, NotFoundError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { RoomLaunchService } from '../rooms/room-launch-service.ts';
import type { RoomPermission } from '../rooms/room-permissions.ts';
import { ROOM_PASS_COOKIE } from '../rooms/rooms-router.ts';
import type { FilesService } from './files-service.ts';
import { formatSize, sendDownload, urls } from './files-view.ts';

const messages = {
  notAllowed: phrase('files:room.notAllowed'),
  notFound: phrase('files:room.notFound'),
};

const uuid = z.uuid();

export interface RoomFilesPanel {
  /** The panel's texts, in the person's language. */
  t: TFunction;
  count: number;
  groups: Array<{ label: string; files: Array<{ id: string; name: string; href: string; size: string }> }>;
}

/** The room page's files panel for a pass that may manage files; null for everyone else. */
export function createRoomFilesPanel(files: FilesService) {
  return async (req: Request, roomId: string, permissions: readonly RoomPermission[]): Promise<RoomFilesPanel | null> => {
    if (!permissions.includes('manageFiles')) return null;
    const language = await req.resolveLanguage();
    const t = req.t;
    const groups = await files.roomFiles(roomId);
    return {
      t,
      count: groups.reduce((sum, group) => sum + group.files.length, 0),
      groups: groups.map((group) => ({
        label: group.path.length ? group.path.join(' / ') : t('files:room.topLevel'),
        files: group.files.map((file) => ({ id: file.id, name: file.name, href: urls.roomFile(roomId, file.id), size: formatSize(file.bytes, language, t) })),
      })),
    };
  };
}

export function createRoomFilesRouter({ launches, files }: { launches: RoomLaunchService; files: FilesService }): Router {
  const router = Router();

  router.get('/rooms/:roomId/files/:fileId', async (req, res) => {
    const roomId = uuid.safeParse(req.params.roomId);
    const fileId = uuid.safeParse(req.params.fileId);
    if (!roomId.success || !fileId.success) throw new NotFoundError(messages.notFound, { code: 'FILE_NOT_FOUND' });
    const { pass } = await launches.enter(roomId.data, req.cookies?.[ROOM_PASS_COOKIE]);
    if (!pass.permissions.includes('manageFiles')) throw new ForbiddenError(messages.notAllowed, { code: 'ROOM_FILES_NOT_ALLOWED' });
    const download = await files.roomDownload(roomId.data, fileId.data);
    if (!download) throw new NotFoundError(messages.notFound, { code: 'FILE_NOT_FOUND' });
    await sendDownload(res, download, messages.notFound);
  });

  return router;
}
