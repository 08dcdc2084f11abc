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
  created_at: number;
  updated_at: number;
}

export interface LiveSessionsTable {
  id: string;
  room_id: string;
  started_by: string;
  started_at: number;
  ended_at: number | null;
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
}

export type RoomRow = Selectable<RoomsTable>;
export type NewRoomRow = Insertable<RoomsTable>;
export type RoomUpdate = Updateable<RoomsTable>;
export type { Generated };
