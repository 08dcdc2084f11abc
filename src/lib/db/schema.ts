/**
 * Table types for the query builder. Times are integer milliseconds since the
 * epoch in both SQLite and PostgreSQL (bigint is parsed back to number), so
 * the same queries run on both.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: string;
  name: string;
  email: string | null;
  mediaspace_role: string | null;
  source: string;
  first_seen_at: number;
  last_seen_at: number;
}

export interface AuthSessionsTable {
  /** sha256 of the cookie value: a leaked database does not leak live sessions. */
  id: string;
  user_id: string;
  user_name: string;
  user_email: string | null;
  mediaspace_role: string;
  partner_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface RoomsTable {
  id: string;
  kind: 'channel' | 'private' | 'course';
  name: string;
  channel_id: number | null;
  owner_user_id: string | null;
  /** People present at once; null: the configured default. */
  capacity: number | null;
  created_at: number;
  updated_at: number;
}

export interface LiveSessionsTable {
  id: string;
  room_id: string;
  started_by: string;
  started_at: number;
  ended_at: number | null;
  ended_by: string | null;
  end_reason: string | null;
}

export interface AttendanceTable {
  id: string;
  live_session_id: string;
  room_id: string;
  user_id: string;
  user_name: string;
  user_email: string | null;
  role: string;
  joined_at: number;
  left_at: number | null;
  last_seen_at: number;
}

export interface ChatMessagesTable {
  id: string;
  live_session_id: string;
  room_id: string;
  user_id: string;
  user_name: string;
  role: string;
  text: string;
  sent_at: number;
  deleted_at: number | null;
  deleted_by: string | null;
}

export interface RoomRemovalsTable {
  room_id: string;
  user_id: string;
  user_name: string;
  live_session_id: string | null;
  removed_by: string;
  removed_at: number;
}

export interface RoomPassesTable {
  id: string;
  room_id: string;
  user_id: string;
  user_name: string;
  user_email: string | null;
  role: string;
  permissions: string;
  launch_jti: string;
  created_at: number;
  expires_at: number;
}

export interface UsedLaunchTokensTable {
  jti: string;
  expires_at: number;
}

export interface ModuleSettingsTable {
  id: string;
  document: string;
  version: number;
  updated_by: string;
  updated_at: number;
}

export interface ModuleSettingsAuditTable {
  id: string;
  setting: string;
  old_value: string;
  new_value: string;
  changed_by: string;
  changed_at: number;
}

export interface Database {
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  rooms: RoomsTable;
  live_sessions: LiveSessionsTable;
  room_passes: RoomPassesTable;
  used_launch_tokens: UsedLaunchTokensTable;
  module_settings: ModuleSettingsTable;
  module_settings_audit: ModuleSettingsAuditTable;
  attendance: AttendanceTable;
  chat_messages: ChatMessagesTable;
  room_removals: RoomRemovalsTable;
}

export type RoomRow = Selectable<RoomsTable>;
export type NewRoomRow = Insertable<RoomsTable>;
export type RoomUpdate = Updateable<RoomsTable>;
export type { Generated };
