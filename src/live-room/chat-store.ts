import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';
import type { RoomRole } from '../rooms/room-permissions.ts';

/** A chat message as kept: its author by user key (the room shows a participant id instead). */
export interface StoredChatMessage {
  id: string;
  userId: string;
  name: string;
  role: RoomRole;
  text: string;
  sentAt: number;
}

export interface ChatStore {
  add(message: Omit<StoredChatMessage, 'id'> & { liveSessionId: string; roomId: string }): Promise<StoredChatMessage>;
  /** The session's messages, oldest first, without deleted ones. */
  history(liveSessionId: string, limit: number): Promise<StoredChatMessage[]>;
  /** Marks a message of this session deleted; false if there was no such message. */
  delete(liveSessionId: string, messageId: string, deletedBy: string, at: number): Promise<boolean>;
}

export function createChatStore(db: Db): ChatStore {
  return {
    async add(message) {
      const id = randomUUID();
      await db
        .insertInto('chat_messages')
        .values({
          id,
          live_session_id: message.liveSessionId,
          room_id: message.roomId,
          user_id: message.userId,
          user_name: message.name,
          role: message.role,
          text: message.text,
          sent_at: message.sentAt,
          deleted_at: null,
          deleted_by: null,
        })
        .execute();
      return { id, userId: message.userId, name: message.name, role: message.role, text: message.text, sentAt: message.sentAt };
    },

    async history(liveSessionId, limit) {
      const rows = await db
        .selectFrom('chat_messages')
        .select(['id', 'user_id', 'user_name', 'role', 'text', 'sent_at'])
        .where('live_session_id', '=', liveSessionId)
        .where('deleted_at', 'is', null)
        .orderBy('sent_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.reverse().map((row) => ({ id: row.id, userId: row.user_id, name: row.user_name, role: row.role as RoomRole, text: row.text, sentAt: Number(row.sent_at) }));
    },

    async delete(liveSessionId, messageId, deletedBy, at) {
      const result = await db
        .updateTable('chat_messages')
        .set({ deleted_at: at, deleted_by: deletedBy })
        .where('id', '=', messageId)
        .where('live_session_id', '=', liveSessionId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
