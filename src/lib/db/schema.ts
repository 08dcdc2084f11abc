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
  /** Backend accounts: administrator | instructor | student. MediaSpace users: null, their role comes from MediaSpace. */
  backend_role: string | null;
  email_normalized: string | null;
  password_hash: string | null;
  /** The name the person chose in their profile, over the one MediaSpace or the invitation gave. */
  display_name: string | null;
  language: string | null;
  picture_image_id: string | null;
  /** invited | active | deactivated */
  status: Generated<string>;
  deactivated_at: number | null;
  version: Generated<number>;
  /** The IANA time zone the person's browser last reported (Session Stats shows times in it); 0010-session-stats. */
  time_zone: string | null;
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
  /** mediaspace (arrived with a KS) | backend (signed in with a password) */
  source: Generated<string>;
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
  summary: string | null;
  description: string | null;
  /** A plan id of the catalogue in config; null: a MediaSpace room outside the licence count. */
  plan_id: string | null;
  /** JSON limits of a plan with customLimits. */
  plan_limits: string | null;
  image_id: string | null;
  updated_by: string | null;
  version: Generated<number>;
}

/** A private room's invitation link (src/my-rooms/room-invitations.ts). */
export interface RoomInvitationsTable {
  room_id: string;
  nonce: string;
  created_by: string;
  created_at: number;
}

/** Whether instructors admit each person into a room (src/live-room/admission.ts). */
export interface RoomAdmissionTable {
  room_id: string;
  /** 1: instructors admit each person; 0: everyone waiting enters when the session starts. */
  instructors_admit: number;
  updated_by: string;
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
  /** The module session that launched it (auth_sessions.id); null only for passes older than migration 0008. */
  auth_session_id: string | null;
  /** The channel whose membership granted it, re-checked with Kaltura; null: granted otherwise. */
  channel_id: number | null;
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

export interface CourseMembersTable {
  room_id: string;
  user_id: string;
  /** instructor | student */
  role: string;
  /** backend (an administrator added them) | mediaspace (their channel level or room ownership) */
  source: string;
  added_at: number;
}

export interface PlanLicencesTable {
  plan_id: string;
  purchased: number;
  updated_by: string;
  updated_at: number;
}

export interface InvitationsTable {
  id: string;
  user_id: string;
  /** sha256 of the link's token: the database never holds a usable link. */
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  sent_at: number | null;
  send_error: string | null;
  accepted_at: number | null;
  revoked_at: number | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SignInFailuresTable {
  email_normalized: string;
  failures: number;
  first_failed_at: number;
  locked_until: number | null;
}

export interface StoredImagesTable {
  id: string;
  /** course | logo | avatar */
  purpose: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  created_by: string;
  created_at: number;
}

export interface FoldersTable {
  id: string;
  room_id: string;
  parent_id: string | null;
  name: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** "<parent id or empty>/<lower-case name>", unique per course (0006-files); always written by the file stores. */
  sibling_key: string | null;
}

export interface FilesTable {
  id: string;
  room_id: string;
  folder_id: string | null;
  name: string;
  content_type: string;
  bytes: number;
  /** The file's name in storage, made by the service; never anything from the request. */
  storage_key: string;
  uploaded_by: string;
  created_at: number;
  updated_at: number;
  /** "<folder id or empty>/<lower-case name>", unique per course (0006-files); always written by the file stores. */
  sibling_key: string | null;
}

/** One row per lock that serialises a check across requests and instances (0009-storage-quotas): 'files'. */
export interface StorageLocksTable {
  scope: string;
}

export interface BrandingTable {
  id: string;
  logo_image_id: string | null;
  primary_color: string;
  secondary_color: string;
  /** Null: mails name the product. */
  organisation_name: string | null;
  version: number;
  updated_by: string;
  updated_at: number;
}

export interface BillingAccountTable {
  id: string;
  customer_id: string | null;
  subscription_id: string | null;
  updated_at: number;
}

export interface BillingEventsTable {
  event_id: string;
  type: string;
  received_at: number;
}

export interface BillingAuditTable {
  id: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  detail: string;
  at: number;
}

/** Extra addresses that receive the invoices (0015-billing-contacts); Stripe keeps the one customer email. */
export interface BillingContactsTable {
  id: string;
  email: string;
  language: string;
  added_by: string;
  added_at: number;
}

/** A stay in a room's waiting room before its session started (0010-session-stats; none recorded before it). */
export interface WaitingRoomVisitsTable {
  id: string;
  room_id: string;
  user_id: string;
  user_name: string;
  user_email: string | null;
  arrived_at: number;
  /** The session that admitted them; null while waiting, or if they left before any started. */
  live_session_id: string | null;
  admitted_at: number | null;
  left_at: number | null;
}

/** A recording of a live session (0010-session-stats, 0014-recordings). */
export interface RecordingsTable {
  id: string;
  live_session_id: string;
  room_id: string;
  title: string;
  started_at: number;
  ended_at: number | null;
  /** The final MP4, relative to the data folder, once processed. */
  storage_key: string | null;
  kaltura_entry_id: string | null;
  created_at: number;
  state: Generated<RecordingState>;
  recorded_by: string | null;
  recorded_by_name: string | null;
  /** Seconds metered while recording, pauses excluded. */
  recorded_seconds: Generated<number>;
  finish_reason: RecordingFinishReason | null;
  /** The media server's raw files, relative to the data folder; null once removed. */
  raw_folder: string | null;
  duration_ms: number | null;
  size_bytes: number | null;
  failure_reason: string | null;
  publish_state: RecordingPublishState | null;
  /** Kaltura's category entry status: active, or pending in a moderated channel. */
  publish_status: string | null;
  updated_at: number | null;
  version: Generated<number>;
}

export type RecordingState = 'recording' | 'paused' | 'over_quota' | 'queued' | 'processing' | 'ready' | 'failed';
export type RecordingFinishReason = 'stopped' | 'session_ended' | 'quota' | 'disk_full' | 'media_server_lost';
export type RecordingPublishState = 'pending' | 'publishing' | 'published' | 'failed';

/** Recorded seconds per course; kept when a recording is deleted (recorded time is what the plan sells). */
export interface RecordingLedgerTable {
  id: string;
  room_id: string;
  recording_id: string;
  seconds: number;
  recorded_at: number;
}

/** Recording time an administrator added to a course. */
export interface RecordingGrantsTable {
  id: string;
  room_id: string;
  seconds: number;
  note: string | null;
  granted_by: string;
  granted_by_name: string;
  granted_at: number;
}

/** Work on a recording that survives a restart. */
export interface RecordingJobsTable {
  id: string;
  recording_id: string;
  kind: RecordingJobKind;
  state: RecordingJobState;
  attempts: Generated<number>;
  next_attempt_at: number;
  progress: Generated<number>;
  last_error: string | null;
  claimed_by: string | null;
  heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
}

export type RecordingJobKind = 'process' | 'publish';
export type RecordingJobState = 'queued' | 'running' | 'done' | 'failed';

/** Every change of a person's Excused mark in a session, newest last: the latest row is the mark. */
export interface AttendanceExcusalsTable {
  id: string;
  live_session_id: string;
  sequence: number;
  user_id: string;
  excused: number;
  reason: string;
  changed_by: string;
  changed_by_name: string;
  changed_at: number;
}

/** An ended session's figures, counted once (0010-session-stats). */
export interface LiveSessionSummariesTable {
  live_session_id: string;
  students: number;
  enrolled: number;
  enrolled_attended: number;
  computed_at: number;
}

/** One person's figures in one ended session, kept when it ended (0016-session-people). */
export interface LiveSessionPeopleTable {
  live_session_id: string;
  user_id: string;
  room_id: string;
  user_name: string;
  user_email: string | null;
  /** instructor | participant | student (enrolled, never came) */
  role: string;
  /** 1: an enrolled student of the course as at the session. */
  enrolled: number;
  first_entry: number | null;
  last_exit: number | null;
  total_ms: number;
  intervals: number;
  waiting_ms: number;
}

/** Session Stats' settings (thresholds, term, retention): one JSON document. */
export interface StatsSettingsTable {
  id: string;
  document: string;
  version: number;
  updated_by: string;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  rooms: RoomsTable;
  live_sessions: LiveSessionsTable;
  room_invitations: RoomInvitationsTable;
  room_admission: RoomAdmissionTable;
  room_passes: RoomPassesTable;
  used_launch_tokens: UsedLaunchTokensTable;
  module_settings: ModuleSettingsTable;
  module_settings_audit: ModuleSettingsAuditTable;
  attendance: AttendanceTable;
  chat_messages: ChatMessagesTable;
  room_removals: RoomRemovalsTable;
  course_members: CourseMembersTable;
  plan_licences: PlanLicencesTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  sign_in_failures: SignInFailuresTable;
  stored_images: StoredImagesTable;
  folders: FoldersTable;
  files: FilesTable;
  storage_locks: StorageLocksTable;
  branding: BrandingTable;
  billing_account: BillingAccountTable;
  billing_events: BillingEventsTable;
  billing_audit: BillingAuditTable;
  billing_contacts: BillingContactsTable;
  waiting_room_visits: WaitingRoomVisitsTable;
  recordings: RecordingsTable;
  recording_ledger: RecordingLedgerTable;
  recording_grants: RecordingGrantsTable;
  recording_jobs: RecordingJobsTable;
  attendance_excusals: AttendanceExcusalsTable;
  stats_settings: StatsSettingsTable;
  live_session_summaries: LiveSessionSummariesTable;
  live_session_people: LiveSessionPeopleTable;
}

export type RoomRow = Selectable<RoomsTable>;
export type NewRoomRow = Insertable<RoomsTable>;
export type RoomUpdate = Updateable<RoomsTable>;
export type { Generated };
