/**
 * The composition of routes and middleware. It takes ready-made services
 * and never listens; src/server.ts builds those services from config.
 */
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import type { Logger } from './lib/logger/logger.ts';
import { requestForLog, responseForLog } from './lib/logger/redact.ts';
import type { AppConfig } from './lib/config/config.ts';
import type { CookiePolicy } from './lib/http/cookie-policy.ts';
import { createCsrfProtection } from './lib/http/csrf.ts';
import { createErrorHandler, notFoundHandler } from './lib/http/error-handler.ts';
import { createRateLimit, personOrAddress } from './lib/http/rate-limits.ts';
import { requestDeadline } from './lib/http/request-deadline.ts';
import { securityHeaders } from './lib/http/security-headers.ts';
import type { CachedKalturaGateway } from './kaltura/cached-kaltura-gateway.ts';
import type { IdentityService } from './identity/identity-service.ts';
import { createIdentityRouter } from './identity/identity-router.ts';
import { loadSession } from './identity/session-middleware.ts';
import { hasRoleAtLeast, isMediaSpaceAdmin } from './identity/mediaspace-roles.ts';
import type { ChannelMeetingService } from './channels/channel-meeting-service.ts';
import { createChannelsRouter } from './channels/channels-router.ts';
import type { MyRoomsService } from './my-rooms/my-rooms-service.ts';
import { createMyRoomsRouter } from './my-rooms/my-rooms-router.ts';
import type { ModuleSettingsService } from './module-settings/module-settings-service.ts';
import { createModuleSettingsRouter } from './module-settings/module-settings-router.ts';
import type { LaunchTokens } from './rooms/launch-tokens.ts';
import type { LiveSessionStore } from './rooms/live-session-store.ts';
import type { RoomLaunchService } from './rooms/room-launch-service.ts';
import { createRoomsRouter } from './rooms/rooms-router.ts';
import { createEmbedRouter } from './embed/embed-router.ts';
import { createDemoPortalRouter } from './demo-portal/demo-portal-router.ts';
import { backendNav } from './backend/backend-nav.ts';
import type { Billing } from './billing/create-billing.ts';
import { loadBackendActor } from './backend/backend-access.ts';
import type { BrandingService } from './branding/branding-service.ts';
import { brandingLocals, serveBrandingStylesheet } from './branding/branding-stylesheet.ts';
import { createBrandingRouter } from './branding/branding-router.ts';
import { createProfileRouter } from './profile/profile-router.ts';
import type { ProfileService } from './profile/profile-service.ts';
import type { CourseMemberStore } from './courses/course-member-store.ts';
import type { CourseService } from './courses/course-service.ts';
import { createCoursesRouter } from './courses/courses-router.ts';
import { createFilesRouter } from './files/files-router.ts';
import type { FilesService } from './files/files-service.ts';
import { createRoomFilesPanel, createRoomFilesRouter } from './files/room-files.ts';
import { createImagesRouter } from './images/images-router.ts';
import type { ImageService } from './images/image-service.ts';
import { resolveLanguageFirst, type LanguageChooser } from './lib/i18n/i18n.ts';
import { accountOrAddress, createSignInRouter } from './sign-in/sign-in-router.ts';
import type { SignInService } from './sign-in/sign-in-service.ts';
import type { AccountStore } from './users/account-store.ts';
import { createInvitationsRouter } from './users/invitations-router.ts';
import type { InvitationsService } from './users/invitations-service.ts';
import { createUsersRouter, inviteFormBody } from './users/users-router.ts';
import { createInvitationImportRouter } from './users/invitation-import-router.ts';
import type { InvitationImport } from './users/invitation-import.ts';
import type { UsersService } from './users/users-service.ts';
import { createStatsRouter, type StatsRouterDeps } from './stats/stats-router.ts';
import type { RecordingLibrary } from './recordings/library/recording-library.ts';
import { createRecordingLibraryRouter } from './recordings/library/recording-library-router.ts';
import { ASSET_MOUNTS, assetFolder } from './lib/http/assets.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  cookies: CookiePolicy;
  csrfSecret: string;
  gateway: CachedKalturaGateway;
  identity: IdentityService;
  settings: ModuleSettingsService;
  meetings: ChannelMeetingService;
  myRooms: MyRoomsService;
  launches: RoomLaunchService;
  liveSessions: LiveSessionStore;
  launchTokens: LaunchTokens;
  /** The built-in Kaltura API emulator, mounted at /api_v3 when no Kaltura is configured. */
  kalturaEmulator: Router | null;
  /** Every page in the person's language: profile choice, else browser, else the default. */
  languages: LanguageChooser;
  backend: BackendDeps;
  /** Plans and Billing through Stripe; null: licences are set by hand (billing.enabled false). */
  billing: Billing | null;
}

/** The rooms backend's services. */
export interface BackendDeps {
  accounts: AccountStore;
  members: CourseMemberStore;
  images: ImageService;
  branding: BrandingService;
  signIn: SignInService;
  users: UsersService;
  invitations: InvitationsService;
  invitationImport: InvitationImport;
  files: FilesService;
  profiles: ProfileService;
  courses: CourseService;
  /** Session Stats: the overview, sessions, course reports and their files. */
  stats: StatsRouterDeps;
  /** Recordings: player, download, rename, delete, Retry, release, hours added to a course. */
  recordings: RecordingLibrary;
}

/**
 * Every page is translated. On these paths (the rooms backend and its sign-in) handlers speak to
 * people before a page is rendered, so the person's language is settled before them; elsewhere it
 * is settled when a page or an error is rendered, so a join that renders nothing reads no profile.
 */
const LANGUAGE_FIRST_PATHS = ['/backend', '/login', '/password-reset', '/invitations'];

export function createApp(deps: AppDeps): Express {
  const { config, logger, cookies } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Pages carry a fresh CSRF token and the person's state, so an ETag would never match: not worth hashing every body.
  app.set('etag', false);
  // Client addresses (rate limits, logs) come from X-Forwarded-For only when a configured proxy sent it.
  app.set('trust proxy', config.http.trustedProxies);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  // Templates are read and compiled once, except in development, where they are edited while the service runs.
  app.set('view cache', config.env !== 'development');

  // Request lines are written at info when asked for (log.requests: off in development); at a higher level (or silent) pino-http would do its work for nothing.
  if (config.log.requests && logger.isLevelEnabled('info')) {
    app.use(
      pinoHttp({
        logger,
        autoLogging: { ignore: (req) => req.url?.startsWith('/assets/') ?? false },
        serializers: { req: requestForLog, res: responseForLog },
      }),
    );
  }
  app.use(requestDeadline({ requestMs: config.http.requestTimeoutMs, uploadMs: config.http.uploadTimeoutMs }));
  // The emulator stands where Kaltura would be: it has its own body parsing, errors and no CSRF.
  if (deps.kalturaEmulator) app.use('/api_v3', deps.kalturaEmulator);
  // Likewise the Stripe emulator's API and its hosted pages (Checkout, invoices).
  if (deps.billing?.emulator) {
    app.use('/v1', deps.billing.emulator.api);
    app.use('/stripe-emulator', deps.billing.emulator.pages);
  }

  app.use(securityHeaders(config.http.embedOrigins));
  // Before anything that may fail, so that every error page speaks the person's language.
  app.use(deps.languages.middleware());
  // Browsers ask for /favicon.ico whatever the page says: the same icon, without a 404 on every page.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/favicon.svg'));
  for (const mount of ASSET_MOUNTS) app.use(mount.url, express.static(assetFolder(mount.folder), { maxAge: '5m', index: false }));
  // Before sessions and CSRF: a stylesheet sets no cookie, so it can be cached.
  app.get('/branding.css', serveBrandingStylesheet(deps.backend.branding));
  // Stripe's signed webhooks need their body exactly as sent: before the body parsers, and without CSRF.
  if (deps.billing) app.use(deps.billing.webhooks);
  app.use('/backend/users/invite', inviteFormBody);
  app.use(express.urlencoded({ extended: true, limit: '32kb', parameterLimit: 200 }));
  app.use(express.json({ limit: '64kb' }));
  app.use(cookieParser());
  app.use(loadSession(deps.identity, cookies));
  // What the page header offers; decided on the server from the person's role and the settings.
  app.use(async (req, res, next) => {
    const current = await deps.settings.current();
    const role = req.auth?.mediaspaceRole;
    res.locals.menu = {
      myRooms: Boolean(role && current.enabled && current.enableUserPrivateLiveRoom && hasRoleAtLeast(role, 'privateOnlyRole')),
      settings: Boolean(role && isMediaSpaceAdmin(role)),
      openInNewTab: current.openInNewTab,
    };
    next();
  });

  const { branding } = deps.backend;
  app.use(LANGUAGE_FIRST_PATHS, resolveLanguageFirst);
  // Every page (backend, room, demo portal, the module's pages) links the organisation's colours.
  app.use(brandingLocals(branding));

  const csrf = createCsrfProtection(deps.csrfSecret, cookies);
  app.use(csrf.prepare);
  app.use(csrf.protect);

  const launchRateLimit = createRateLimit(config.rateLimit.windowSeconds, config.rateLimit.launchesPerWindow);
  const actionRateLimit = createRateLimit(config.rateLimit.windowSeconds, config.rateLimit.actionsPerWindow);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(createIdentityRouter({ identity: deps.identity, cookies, launchRateLimit, defaultReturnPath: '/', launchSources: { publicUrl: config.http.publicUrl, embedOrigins: config.http.embedOrigins } }));
  app.use(
    createRoomsRouter({
      launches: deps.launches,
      liveSessions: deps.liveSessions,
      tokens: deps.launchTokens,
      cookies,
      filesPanel: createRoomFilesPanel(deps.backend.files),
      invitationFor: (room, userId) => deps.myRooms.invitationFor(room, userId),
    }),
  );
  app.use(createRoomFilesRouter({ launches: deps.launches, files: deps.backend.files }));
  app.use(createChannelsRouter({ meetings: deps.meetings, settings: deps.settings, actionRateLimit }));
  app.use(createMyRoomsRouter({ myRooms: deps.myRooms, settings: deps.settings, actionRateLimit }));
  app.use(createModuleSettingsRouter(deps.settings));
  app.use(createImagesRouter(deps.backend.images));
  app.use(createSignInRouter({
    signIn: deps.backend.signIn,
    cookies,
    signInRateLimit: createRateLimit(config.rateLimit.windowSeconds, config.rateLimit.signInsPerWindow),
    accountRateLimit: createRateLimit(config.rateLimit.windowSeconds, config.rateLimit.signInsPerAccountPerWindow, { keyOf: accountOrAddress, message: 'sign-in:accountRateLimited' }),
  }));
  const studentsSeeOwnAttendance = async () => (await deps.backend.stats.stats.settings()).settings.studentsSeeOwnAttendance;
  app.use('/backend', loadBackendActor(deps.backend), backendNav({ billing: deps.billing !== null, studentsSeeOwnAttendance }));
  if (deps.billing) app.use('/backend', deps.billing.backend);
  app.use('/backend', createUsersRouter({ users: deps.backend.users, invitations: deps.backend.invitations }));
  app.use(createInvitationsRouter({ invitations: deps.backend.invitations, acceptRateLimit: createRateLimit(config.rateLimit.windowSeconds, config.rateLimit.signInsPerWindow) }));
  const uploadsTmpDir = path.join(config.dataDir, 'uploads-tmp');
  // One budget per person across every upload route, files and pictures alike.
  const uploadRateLimit = createRateLimit(config.rateLimit.windowSeconds, config.rateLimit.uploadsPerWindow, { keyOf: personOrAddress, message: 'common:httpErrors.uploadsRateLimited' });
  app.use('/backend', createFilesRouter({ files: deps.backend.files, uploads: { maxBytes: config.uploads.maxFileMegabytes * 1024 * 1024, maxFiles: config.uploads.maxFilesPerUpload, tmpDir: uploadsTmpDir, rateLimit: uploadRateLimit } }));
  app.use('/backend', createInvitationImportRouter({ imports: deps.backend.invitationImport, uploads: { tmpDir: uploadsTmpDir, rateLimit: uploadRateLimit } }));
  const imageUploads = { maxImageBytes: config.uploads.maxImageMegabytes * 1024 * 1024, tmpDir: uploadsTmpDir, rateLimit: uploadRateLimit };
  app.use('/backend', createProfileRouter({ profiles: deps.backend.profiles, cookies, uploads: imageUploads }));
  app.use('/backend', createBrandingRouter({ branding: deps.backend.branding, uploads: imageUploads }));
  app.use('/backend', createCoursesRouter({ courses: deps.backend.courses, uploads: imageUploads }));
  app.use('/backend', createStatsRouter(deps.backend.stats));
  app.use('/backend', createRecordingLibraryRouter({ library: deps.backend.recordings, zoneOf: (actor, sent) => deps.backend.stats.stats.zoneOf(actor, sent) }));
  app.use(createEmbedRouter({ identity: deps.identity, settings: deps.settings, embedOrigins: config.http.embedOrigins, launchRateLimit, languages: deps.languages }));
  if (deps.kalturaEmulator) {
    app.use(createDemoPortalRouter({ gateway: deps.gateway, identity: deps.identity, cookies, actionRateLimit }));
  } else {
    app.get('/', (req, res) => {
      res.render('home/index', { signedIn: req.auth ?? null });
    });
  }

  app.use(notFoundHandler());
  app.use(createErrorHandler(logger, { showStack: config.env === 'development', languages: deps.languages }));
  return app;
}
