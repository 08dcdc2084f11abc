/**
 * Start-up: load and validate config, open the database and migrate it, make
 * or read the service's own secrets, build every store and service with
 * plain constructors, and listen. Tests start the service the same way, with
 * their own config.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, withListeningAddress, type AppConfig, type LoadedConfig } from './lib/config/config.ts';
import { createDatabase, migrateToLatest, type Db } from './lib/db/database.ts';
import { decideCookiePolicy } from './lib/http/cookie-policy.ts';
import { createLogger, type Logger } from './lib/logger/logger.ts';
import { createEcPrivateKeyPem, randomSecret, readOrCreateSecretFile } from './lib/secrets/local-secrets.ts';
import type { CachedKalturaGateway } from './kaltura/cached-kaltura-gateway.ts';
import { createKaltura } from './kaltura/create-kaltura.ts';
import type { EmulatorPartner } from './kaltura-emulator/create-kaltura-emulator.ts';
import { createAuthSessionStore } from './identity/auth-session-store.ts';
import { createCachedAuthSessionStore } from './identity/cached-auth-session-store.ts';
import { IdentityService } from './identity/identity-service.ts';
import { createUserStore } from './identity/user-store.ts';
import { createModuleSettingsStore } from './module-settings/module-settings-store.ts';
import { ModuleSettingsService } from './module-settings/module-settings-service.ts';
import { LaunchTokens } from './rooms/launch-tokens.ts';
import { createLiveSessionStore } from './rooms/live-session-store.ts';
import { createCachedLiveSessionStore } from './rooms/cached-live-session-store.ts';
import { createCachedRoomStore } from './rooms/cached-room-store.ts';
import { createRoomPassStore } from './rooms/room-pass-store.ts';
import { RoomPassGuard } from './rooms/room-pass-guard.ts';
import type { RoomRole } from './rooms/room-permissions.ts';
import { RoomLaunchService } from './rooms/room-launch-service.ts';
import { createRoomStore } from './rooms/room-store.ts';
import { ChannelMeetingService } from './channels/channel-meeting-service.ts';
import { MyRoomsService } from './my-rooms/my-rooms-service.ts';
import { InvitationCodes } from './my-rooms/invitation-codes.ts';
import { createRoomInvitationStore } from './my-rooms/room-invitation-store.ts';
import { systemScheduler, type Scheduler } from './lib/clock/scheduler.ts';
import { createAttendanceStore } from './live-room/attendance-store.ts';
import { createChatStore } from './live-room/chat-store.ts';
import { LiveRoomService } from './live-room/live-room-service.ts';
import { createRemovalStore } from './live-room/removal-store.ts';
import { createWaitingRoomStore } from './live-room/waiting-room-store.ts';
import { attachRoomSockets } from './live-room/room-socket-server.ts';
import { createInProcessRoomState } from './live-room/room-state.ts';
import { Admission, createAdmissionStore } from './live-room/admission.ts';
import { ParticipantIds } from './live-room/participant-ids.ts';
import { BrandingService } from './branding/branding-service.ts';
import { createCourseMemberStore } from './courses/course-member-store.ts';
import { createCourseStore } from './courses/course-store.ts';
import { CourseService } from './courses/course-service.ts';
import { createMediaSpaceMemberships } from './courses/mediaspace-memberships.ts';
import { createVerifiedCourseMembers } from './courses/verified-course-members.ts';
import { PlanCatalogue } from './courses/plan-catalogue.ts';
import { createHttpServer, listen, listeningUrl } from './lib/http/http-server.ts';
import { RecordingQuota } from './recordings/recording-quota.ts';
import type { FreeDiskBytes } from './recordings/room/disk-space.ts';
import { createRecordingJobs, createRecordingLibrary, createRoomRecording } from './recordings/create-recordings.ts';
import { ImageService } from './images/image-service.ts';
import { LanguageChooser, loadTranslations } from './lib/i18n/i18n.ts';
import { createMailer } from './lib/mail/mailer.ts';
import { createPasswordResetStore } from './sign-in/password-reset-store.ts';
import { createSignInFailureStore } from './sign-in/sign-in-failure-store.ts';
import { SignInService } from './sign-in/sign-in-service.ts';
import { createAccountStore } from './users/account-store.ts';
import { InvitationsService } from './users/invitations-service.ts';
import { InvitationImport } from './users/invitation-import.ts';
import { createUserRecords } from './users/user-records.ts';
import { UsersService } from './users/users-service.ts';
import { createFileCourseStore } from './files/file-course-store.ts';
import { createDiskFileStorage } from './files/file-storage.ts';
import { createFileStore } from './files/file-store.ts';
import { FilesService } from './files/files-service.ts';
import { createFolderStore } from './files/folder-store.ts';
import { createProfileStore } from './profile/profile-store.ts';
import { createCachedProfileStore } from './profile/cached-profile-store.ts';
import { ProfileService } from './profile/profile-service.ts';
import { chooseMediaServer, type ChosenMediaServer } from './media/choose-media-server.ts';
import { MediaSignalling } from './media/media-signalling.ts';
import { createBilling, type Billing } from './billing/create-billing.ts';
import { createStatsStore } from './stats/stats-store.ts';
import { createExcusalStore } from './stats/excusal-store.ts';
import { createStatsSettingsStore } from './stats/stats-settings.ts';
import { StatsService } from './stats/stats-service.ts';
import { CourseReports } from './stats/course-report.ts';
import { StatsExports } from './stats/stats-exports.ts';
import { StatsRetention } from './stats/stats-retention.ts';
import { createStatsTotals } from './stats/stats-totals.ts';
import type { RecordingEntryRemover } from './recordings/library/recording-entry-remover.ts';
import { createSessionFigures } from './stats/session-figures.ts';
import type { RecordingJobRunner } from './recordings/processing/job-runner.ts';

const PURGE_EVERY_MS = 10 * 60_000;

export interface StartOptions {
  /** The clock every service reads; tests move it instead of sleeping. */
  now?: () => number;
  /** Delayed work (grace periods); tests pass a manual scheduler on the same clock. */
  scheduler?: Scheduler;
  /** More partners for the built-in emulator (tests use one to forge "other partner" sessions). */
  extraEmulatorPartners?: EmulatorPartner[];
  logger?: Logger;
  /** Deletes a recording's Kaltura entry (the publishing part's; tests pass a fake). */
  recordingEntries?: RecordingEntryRemover;
  /** Tests stand in a media server of their own (one that records, without Janus). */
  mediaServer?: ChosenMediaServer;
  /** Free space on the recordings' disk; tests make it run out. */
  freeDiskBytes?: FreeDiskBytes;
}

export interface RunningServer {
  url: string;
  config: AppConfig;
  db: Db;
  gateway: CachedKalturaGateway;
  liveRooms: LiveRoomService;
  /** The media server in use, and the supervised Janus's process (if any). */
  media: ChosenMediaServer;
  /** WebSocket connections open to rooms on this instance. */
  roomConnections(): number;
  /** The emulated demo partner's secrets, when the emulator is on. */
  emulatorPartner: EmulatorPartner | null;
  /** Plans and Billing through Stripe (and its emulator), when billing is on. */
  billing: Billing | null;
  /** Processing (and publishing) recordings: jobs from the database, resumed after a restart. */
  recordingJobs: RecordingJobRunner;
  close(): Promise<void>;
}

export async function startServer(loaded: LoadedConfig, options: StartOptions = {}): Promise<RunningServer> {
  keepWrittenFilesPrivate();
  const scheduler = options.scheduler ?? systemScheduler(options.now);
  let config = loaded as AppConfig;
  const now = scheduler.now;
  const logger = options.logger ?? createLogger(config.log.level);
  const db = createDatabase({ url: config.database.url, dataDir: config.dataDir });
  await migrateToLatest(db);

  const server = createHttpServer(config.http);
  await listen(server, config.http.port, config.http.host);
  const { port } = server.address() as AddressInfo;
  const url = listeningUrl(config.http.host, port);
  // Links in mails, pictures in them and launch tokens name this address: the real port, not the default's.
  config = withListeningAddress(loaded, url);

  const { gateway, emulatorPartner, emulator: kalturaEmulator } = createKaltura(config, { port, now, ...(options.extraEmulatorPartners && { extraEmulatorPartners: options.extraEmulatorPartners }) });

  const cookies = decideCookiePolicy({ publicUrl: config.http.publicUrl, embedOrigins: config.http.embedOrigins, production: config.env === 'production' });
  // The warm path of a join reads no SQL: sessions, channel rooms and live state are remembered briefly, and forgotten on every write.
  const remembered = { maxEntries: config.cache.maxEntries, now };
  const rooms = createCachedRoomStore(createRoomStore(db), remembered);
  const liveSessions = createCachedLiveSessionStore(createLiveSessionStore(db), remembered);
  const settings = new ModuleSettingsService(createModuleSettingsStore(db), config.moduleSettings, now);
  const passes = createRoomPassStore(db);
  // A room pass belongs to the module session that launched it, and follows it when a relaunch rotates its id.
  const authSessions = createAuthSessionStore(db, [(trx, fromId, toId) => passes.moveToSession(fromId, toId, trx)]);
  const identity = new IdentityService(gateway, createCachedAuthSessionStore(authSessions, remembered), createUserStore(db), {
    idleMs: config.session.idleMinutes * 60_000,
    absoluteMs: config.session.absoluteHours * 3600_000,
    now,
  });
  const launchTokens = new LaunchTokens(config.launchToken.privateKeyPem ?? readOrCreateSecretFile(config.dataDir, 'launch-signing-key.pem', createEcPrivateKeyPem), {
    issuer: config.http.publicUrl,
    audience: config.launchToken.audience,
  });
  const removals = createRemovalStore(db);
  const passGuard: RoomPassGuard = new RoomPassGuard({
    passes,
    sessions: identity,
    // The channel's meeting service decides what a membership gives, for passes exactly as for Join.
    channels: { roomRoleNow: (channelId, userId): Promise<RoomRole | null> => meetings.roomRoleNow(channelId, userId) },
    recheckMs: config.liveRoom.passRecheckSeconds * 1000,
    maxEntries: config.cache.maxEntries,
    logger,
    now,
  });
  const launches = new RoomLaunchService(rooms, passes, launchTokens, { removals, sessions: identity, guard: passGuard }, { passLifetimeMs: config.session.roomPassHours * 3600_000, now });
  const roomState = createInProcessRoomState();
  const plans = new PlanCatalogue(config.plans);
  const recordingQuota = new RecordingQuota({ db, plans, hoursWithoutPlan: config.recordings.hoursWithoutPlan });
  const accounts = createAccountStore(db);
  const media = options.mediaServer ?? (await chooseMediaServer(config, logger));
  const recordingJobs = createRecordingJobs({ config, db, gateway, logger, now });
  const roomRecording = await createRoomRecording({ config, db, jobs: recordingJobs, quota: recordingQuota, media: media.server, liveSessions, rooms, state: roomState, scheduler, logger, ...(options.freeDiskBytes && { freeDiskBytes: options.freeDiskBytes }) });
  const sessionFigures = createSessionFigures(db);
  const liveRooms = new LiveRoomService({
    rooms,
    liveSessions,
    attendance: createAttendanceStore(db),
    chat: createChatStore(db),
    removals,
    waitingRoom: createWaitingRoomStore(db),
    state: roomState,
    scheduler,
    logger,
    plans,
    admission: new Admission(createAdmissionStore(db)),
    recording: roomRecording,
    sessionEnded: (sessionId, endedAt) => sessionFigures.keep([sessionId], endedAt),
    // Kept in the data folder: the same person keeps their id in a room across restarts.
    participantIds: new ParticipantIds(readOrCreateSecretFile(config.dataDir, 'participant-id-secret', randomSecret), { maxEntries: config.cache.maxEntries }),
    // Profile pictures are public by their random id (src/images/image-service.ts), as in mails.
    pictures: {
      async pictureOf(userId) {
        const pictureId = (await accounts.findById(userId))?.pictureImageId;
        return pictureId ? ImageService.url(pictureId, 'small') : null;
      },
    },
    options: {
      reconnectGraceMs: config.liveRoom.reconnectGraceSeconds * 1000,
      instructorGraceMs: config.liveRoom.instructorGraceMinutes * 60_000,
      defaultCapacity: config.liveRoom.defaultCapacity,
      chatRatePerSecond: config.liveRoom.chatRatePerSecond,
      chatBurst: config.liveRoom.chatBurst,
      actionRatePerSecond: config.liveRoom.actionRatePerSecond,
      actionBurst: config.liveRoom.actionBurst,
      chatHistoryLimit: config.liveRoom.chatHistoryLimit,
    },
  });
  // Sessions that were live when the service stopped carry on; attendance waits for reconnects.
  await liveRooms.recover();
  const mediaSignalling = new MediaSignalling({ server: media.server, state: roomState, liveRooms, liveSessions, rooms, plans, logger, extraPublishers: config.media.extraPublishers, scheduler, grantHoldMs: config.media.grantHoldSeconds * 1000 });

  // The rooms backend.
  const translations = await loadTranslations(config.backend.defaultLanguage);
  const members = createCourseMemberStore(db);
  const memberships = createMediaSpaceMemberships(members, remembered);
  // Access decisions re-check a membership that came from a channel level with Kaltura.
  const verifiedMembers = createVerifiedCourseMembers({ members, gateway, recorder: memberships });
  const images = new ImageService(db, path.join(config.dataDir, 'images'));
  const fileStorage = createDiskFileStorage(path.join(config.dataDir, 'files'));
  const files = new FilesService({
    courses: createFileCourseStore(db),
    folders: createFolderStore(db),
    files: createFileStore(db),
    storage: fileStorage,
    members: verifiedMembers,
    plans: config.plans,
    quota: { course: config.uploads.courseQuotaMegabytes * 1024 * 1024, organisation: config.uploads.organisationQuotaMegabytes * 1024 * 1024 },
    logger,
    now,
  });
  // Bytes left without a record by a crash mid-upload or by rooms deleted with their records; an hour old, so no upload is still in flight.
  files.removeOrphanedStorage(Date.now() - 3600_000).catch((error: unknown) => logger.warn({ err: error }, 'removing orphaned stored files failed'));
  // Picture originals stored before uploads were cleaned lose their metadata (author, location) once.
  images
    .cleanStoredOriginals()
    .then((count) => count > 0 && logger.info({ count }, 'removed metadata from stored picture originals'))
    .catch((error: unknown) => logger.warn({ err: error }, 'removing metadata from stored picture originals failed'));
  const branding = new BrandingService(db, config.http.publicUrl, now, images);
  const mailer = createMailer({ from: config.mail.from, smtpUrl: config.mail.smtpUrl, outboxDir: path.join(config.dataDir, 'outbox') });
  const signIn = new SignInService({
    accounts,
    failures: createSignInFailureStore(db),
    resets: createPasswordResetStore(db),
    identity,
    mailer,
    branding,
    logger,
    publicUrl: config.http.publicUrl,
    partnerId: config.kaltura.partnerId,
    options: { maxFailures: config.backend.loginMaxFailures, lockMs: config.backend.loginLockMinutes * 60_000, resetTtlMs: config.backend.passwordResetTtlMinutes * 60_000 },
    now,
  });
  // Every page asks for the person's chosen language: remembered briefly, forgotten when they change it.
  const profileStore = createCachedProfileStore(createProfileStore(db), remembered);
  const profiles = new ProfileService({ accounts, profiles: profileStore, images, signIn, now });
  const languages = new LanguageChooser(translations, config.backend.defaultLanguage, (userId) => profileStore.languageOf(userId));

  const userRecords = createUserRecords(db);
  const users = new UsersService({ records: userRecords, sessions: identity, now });
  const invitations = new InvitationsService({ records: userRecords, mailer, branding, logger, publicUrl: config.http.publicUrl, ttlMs: config.backend.invitationTtlDays * 86_400_000, now });

  const meetings = new ChannelMeetingService({ gateway, rooms, liveSessions, sessions: liveRooms, launches, settings, memberships, plans, removals, now });
  const recordings = createRecordingLibrary({ config, db, gateway, members: verifiedMembers, quota: recordingQuota, jobs: recordingJobs, ...(options.recordingEntries && { entries: options.recordingEntries }), logger, now });
  const courses = new CourseService({ courses: createCourseStore(db), members: verifiedMembers, plans, images, liveSessions, instructorWatch: liveRooms, launches, settings, roomCaches: [rooms, liveSessions], files: fileStorage, recordingFiles: recordings.files, logger, now });
  const billing = config.billing.enabled ? await createBilling({ config, db, plans, courses, recordingQuota, logger, mail: { mailer, branding, translations }, port, now }) : null;

  const statsStore = createStatsStore(db);
  const excusals = createExcusalStore(db);
  const statsSettings = createStatsSettingsStore(db);
  const stats = new StatsService({ store: statsStore, totals: createStatsTotals(db, sessionFigures), excusals, settings: statsSettings, members: verifiedMembers, recordings: recordings.library, figures: sessionFigures, now });
  // Statistics older than an administrator keeps them are deleted on the service's clock (tests move it).
  const retention = new StatsRetention({ db, settings: statsSettings, scheduler, logger });
  retention.start();
  const reports = new CourseReports({ stats, store: statsStore, excusals, figures: sessionFigures });
  recordingJobs.start();

  const app = createApp({
    config,
    logger,
    cookies,
    csrfSecret: readOrCreateSecretFile(config.dataDir, 'csrf-secret', randomSecret),
    gateway,
    identity,
    settings,
    meetings,
    myRooms: new MyRoomsService({
      rooms,
      liveSessions,
      launches,
      settings,
      memberships,
      invitations: {
        store: createRoomInvitationStore(db),
        codes: new InvitationCodes(readOrCreateSecretFile(config.dataDir, 'room-invitation-secret', randomSecret)),
        publicUrl: config.http.publicUrl,
      },
      now,
    }),
    launches,
    liveSessions,
    launchTokens,
    kalturaEmulator: kalturaEmulator?.router ?? null,
    languages,
    backend: {
      accounts,
      members: verifiedMembers,
      images,
      branding,
      signIn,
      profiles,
      files,
      users,
      invitations,
      invitationImport: new InvitationImport({ records: userRecords, invitations, now }),
      courses,
      stats: { stats, reports, exports: new StatsExports({ stats, store: statsStore, reports }) },
      recordings: recordings.library,
    },
    billing,
  });
  server.on('request', app);
  const roomSockets = attachRoomSockets(server, {
    launches,
    liveRooms,
    state: roomState,
    logger,
    heartbeatMs: config.liveRoom.heartbeatSeconds * 1000,
    maxConnectionsPerPerson: config.liveRoom.maxConnectionsPerPerson,
    guard: passGuard,
    scheduler,
    passCheckMs: config.liveRoom.passRecheckSeconds * 1000,
    embedOrigins: config.http.embedOrigins,
    languages,
    media: { maxMessageBytes: config.media.maxMessageKilobytes * 1024, handle: (connection, raw) => mediaSignalling.handle(connection, raw), leave: (connection) => mediaSignalling.leave(connection) },
  });

  // Signing out or deactivating someone closes their room sockets here at once; other instances within a check round.
  identity.onSessionsEnded((userId) => void roomSockets.recheckPerson(userId));

  const purge = setInterval(() => {
    Promise.all([identity.purgeExpired(), launches.purgeExpired()]).catch((error) => logger.warn({ err: error }, 'purging expired sessions failed'));
  }, PURGE_EVERY_MS);
  purge.unref();

  logger.info({ port, emulator: Boolean(kalturaEmulator) }, 'Live Rooms is listening');
  return {
    url,
    config,
    db,
    gateway,
    liveRooms,
    media,
    roomConnections: () => roomSockets.connectionCount(),
    emulatorPartner,
    billing,
    recordingJobs,
    async close() {
      clearInterval(purge);
      retention.stop();
      // Running processings are abandoned (their ffmpeg killed, temporary files removed) and queued again for the next start.
      await recordingJobs.stop();
      liveRooms.stop();
      roomRecording.stop();
      await roomSockets.close();
      mediaSignalling.stop();
      await media.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.destroy();
    },
  };
}

/**
 * Everything the service writes in its data folder is its own, as secrets/ always was: folders
 * 0700, files 0600. The database with its password hashes, its -wal and -shm, the outbox with
 * live links, pictures, course files and uploads in progress are written by SQLite, sharp, multer
 * and nodemailer, each with its own default mode; the process's umask is the one setting they all
 * follow.
 */
function keepWrittenFilesPrivate(): void {
  process.umask(0o077);
}

async function main(): Promise<void> {
  let config: LoadedConfig;
  try {
    config = loadConfig({ environment: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const running = await startServer(config);
  // The address to open: PUBLIC_URL, or where it really listens.
  console.log(`Live Rooms for MediaSpace: ${running.config.http.publicUrl}${running.emulatorPartner ? ' (demo portal and Kaltura emulator on)' : ''}`);
  const stop = () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
