/**
 * Configuration, layered the way operators expect: `config/default.json` <
 * `config/<env>.json` < environment variables < explicit overrides (tests).
 * One zod schema validates the result; a bad value stops start-up with a
 * message that names the key. Nothing else in the code reads `process.env`.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';
import { partialModuleSettingsSchema } from '../../module-settings/settings-schema.ts';

const CONFIG_DIR = path.resolve(import.meta.dirname, '../../../config');

const planSchema = z.object({
  label: z.string().min(1).max(40),
  /** Courses on a plan that is not active are invisible to students and cannot go live; they need no licence. */
  active: z.boolean(),
  virtualClassrooms: z.number().int().min(0),
  cloudRecordingHours: z.number().min(0),
  selfPacedCourses: z.number().int().min(0),
  webcamUsers: z.number().int().min(0),
  /** The limits above are only defaults: each course on this plan may carry its own. */
  customLimits: z.boolean().default(false),
  /** Price of one licence per billing period, in the currency's minor unit (cents); a plan without one is sold on request. */
  prices: z.object({ month: z.number().int().min(0).optional(), year: z.number().int().min(0).optional() }).optional(),
});

const originSchema = z.url().transform((value) => new URL(value).origin);

// An address or a subnet (CIDR), or one of Express's names for the private ranges.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  if (bits === undefined) return PROXY_NAMES.has(address) || isIP(address) !== 0;
  return isIP(address) !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
}

/**
 * Which proxies may tell the client's address in X-Forwarded-For: none (false), a hop count
 * in front of the service, or their addresses and subnets. Anyone else's header is ignored.
 */
const trustedProxiesSchema = z.union([
  z.literal(false),
  z.number().int().min(0).max(10).transform((hops) => (hops === 0 ? (false as const) : hops)),
  z
    .array(z.string().trim().refine(isProxyAddress, 'must be IP addresses or subnets (10.0.0.0/8), or a hop count'))
    .transform((list) => (list.length === 0 ? (false as const) : list)),
]);

const configSchema = z.object({
  env: z.enum(['development', 'test', 'production']),
  /** Deliberately run the Kaltura emulator and the demo portal (with its demo accounts) in production. */
  demoMode: z.boolean(),
  /** Resolved against the working directory once, so every file path made from it is absolute. */
  dataDir: z.string().min(1).transform((value) => path.resolve(value)),
  http: z.object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    /** null: the address the service listens on (its real port, so PORT alone gives working links); set it behind a proxy. */
    publicUrl: z.url().transform((value) => value.replace(/\/+$/, '')).nullable(),
    trustedProxies: trustedProxiesSchema,
    /** Whole request, headers and body, on every route but uploads; keeps slow bodies from holding connections. */
    requestTimeoutMs: z.number().int().min(50).max(600_000),
    /** Whole request on upload routes: large files on slow lines. */
    uploadTimeoutMs: z.number().int().min(50).max(6 * 3600_000),
    headersTimeoutMs: z.number().int().min(50).max(600_000),
    keepAliveTimeoutMs: z.number().int().min(50).max(600_000),
    /** Connections open at once (WebSockets included); Node closes any beyond them as they arrive. */
    maxConnections: z.coerce.number().int().min(1),
    /** MediaSpace origins allowed to frame the module and to call its embed API. */
    embedOrigins: z.array(originSchema),
  }),
  database: z.object({
    /** null: a SQLite file in the data folder; postgres://… for production. */
    url: z.string().regex(/^(postgres|postgresql):\/\//, 'must be a postgres:// URL').nullable(),
  }),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /** A line per request (at info). Off in development, where the console is for what goes wrong. */
    requests: z.boolean(),
  }),
  kaltura: z.object({
    /** null: run the built-in Kaltura API emulator and the demo portal. */
    serviceUrl: z.url().transform((value) => value.replace(/\/+$/, '')).nullable(),
    partnerId: z.coerce.number().int().positive(),
    adminSecret: z.string().min(1).nullable(),
    userSecret: z.string().min(1).nullable(),
    timeoutMs: z.coerce.number().int().min(100).max(60_000),
    userRoleMetadataProfileId: z.coerce.number().int().positive().nullable(),
    adminSessionTtlSeconds: z.number().int().min(300).max(86_400),
  }),
  cache: z.object({
    ksTtlSeconds: z.number().int().min(1).max(300),
    channelTtlSeconds: z.number().int().min(1).max(600),
    membershipTtlSeconds: z.number().int().min(1).max(300),
    maxEntries: z.number().int().min(100),
  }),
  session: z.object({
    idleMinutes: z.number().int().min(1).max(24 * 60),
    absoluteHours: z.number().int().min(1).max(7 * 24),
    /** A room pass lasts this long at most, and never past the module session that launched it. */
    roomPassHours: z.number().int().min(1).max(24),
  }),
  launchToken: z.object({
    audience: z.string().min(1),
    /** PEM of an EC P-256 private key; null: one is made on first start and kept in the data folder. */
    privateKeyPem: z.string().includes('PRIVATE KEY').nullable(),
  }),
  rateLimit: z.object({
    windowSeconds: z.number().int().min(1),
    launchesPerWindow: z.number().int().min(1),
    actionsPerWindow: z.number().int().min(1),
    /** Sign-in and password-reset requests per address: large, a school signs in from one address at 8 o'clock. */
    signInsPerWindow: z.number().int().min(1),
    /** Sign-in and password-reset requests per account (email address), whatever the address; the lock-out comes on top. */
    signInsPerAccountPerWindow: z.number().int().min(1),
    /** Uploads (files and pictures) per person, or per address without a session, across every upload route. */
    uploadsPerWindow: z.number().int().min(1),
  }),
  liveRoom: z.object({
    /** A reconnect within this long continues the same attendance interval. */
    reconnectGraceSeconds: z.number().int().min(1).max(600),
    /** A live session with no instructor left ends by itself after this long. */
    instructorGraceMinutes: z.number().min(0.05).max(24 * 60),
    /** People present at once in a room that sets no capacity of its own. */
    defaultCapacity: z.number().int().min(1).max(10_000),
    chatRatePerSecond: z.number().min(0.1).max(100),
    chatBurst: z.number().int().min(1).max(1000),
    /** Hands, cameras, moderation, start and end: each person's changes to the room, sustained and in a burst. */
    actionRatePerSecond: z.number().min(0.1).max(100),
    actionBurst: z.number().int().min(1).max(1000),
    chatHistoryLimit: z.number().int().min(0).max(5000),
    heartbeatSeconds: z.number().min(1).max(300),
    /** A room pass granted by channel membership is re-checked with Kaltura when used this long after its last check (page, socket, open sockets). */
    passRecheckSeconds: z.number().int().min(5).max(3600),
    /** Sockets one person may hold open to one room (tabs, windows); a newer one closes their oldest. */
    maxConnectionsPerPerson: z.number().int().min(1).max(50),
  }),
  /** Audio and video: Janus servers run by operators, else a Janus the service runs itself, else the embedded SFU (src/media/choose-media-server.ts). */
  media: z.object({
    /** auto: JANUS_URL, else a janus executable, else the embedded SFU; janus or embedded: that one only; none: no audio and video. */
    server: z.enum(['auto', 'janus', 'embedded', 'none']),
    /** ws:// addresses of Janus WebSocket APIs (JANUS_URL, comma-separated); rooms are placed on the least loaded. */
    janusUrls: z.array(z.string().regex(/^wss?:\/\/\S+$/, 'must be ws:// or wss:// URLs')),
    janusApiSecret: z.string().min(1).nullable(),
    /** The VideoRoom plugin's admin_key, needed to create rooms when the operator set one. */
    janusAdminKey: z.string().min(1).nullable(),
    /** Started and supervised by the service when no janusUrls are set; null: none. */
    janusExecutable: z.string().min(1).nullable(),
    rtpPortRange: z.string().regex(/^\d{4,5}-\d{4,5}$/, 'must look like 20000-40000'),
    /** This machine's public address when behind a 1:1 NAT (Janus's nat_1_1_mapping). */
    publicIp: z.string().min(1).nullable(),
    stunServer: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').nullable(),
    /** Senders beyond the plan's webcam places: people speaking without a camera, and screen shares. */
    extraPublishers: z.number().int().min(0).max(500),
    /** Media messages (SDP) may be larger than other room messages (16 KB), up to this. */
    maxMessageKilobytes: z.number().int().min(16).max(1024),
    requestTimeoutMs: z.number().int().min(100).max(60_000),
    /** The embedded SFU's forwarding caps, measured with `npm run bench -- --only media` (README, Benchmarks): a subscription beyond them is refused. */
    embedded: z.object({
      streamsPerRoom: z.number().int().min(1).max(10_000),
      streamsPerServer: z.number().int().min(1).max(100_000),
    }),
    /** A webcam place an instructor gives is held this long for the person to turn their camera on, then goes back. */
    grantHoldSeconds: z.number().int().min(5).max(3600),
  }),
  /** Initial module settings for deployments managed as code; used until an administrator saves the settings page. */
  moduleSettings: partialModuleSettingsSchema,
  /** The plan catalogue: the one place plans and their limits are defined. */
  plans: z
    .record(z.string().regex(/^[a-z0-9_]{1,40}$/, 'plan ids are lower-case letters, digits and _'), planSchema)
    .refine((plans) => Object.values(plans).some((plan) => !plan.active), 'needs one plan with "active": false (courses that cannot go live)'),
  /** Plans and Billing through Stripe Billing; off: licences are set by hand on the courses page. */
  recordings: z.object({
    /** Cloud recording hours of a room outside the plans (a channel's or a private room); a course has its plan's. */
    hoursWithoutPlan: z.number().min(0),
    /** Where course and private rooms' recordings are published in Kaltura (a channel's go to the channel): a category id, or its full name; both null: not published. */
    kalturaCategoryId: z.number().int().positive().nullable(),
    kalturaCategoryFullName: z.string().min(1).max(2000).nullable(),
    /** A recording reaches Kaltura in chunks of this many bytes (a failed upload resumes at the last whole chunk). */
    publishChunkBytes: z.number().int().min(1024).max(50 * 1024 * 1024),
    /** How long one chunk's upload may take. */
    publishChunkTimeoutMs: z.number().int().min(1000).max(3_600_000),
    /** The organisation's time zone, in which a published recording's name gives its session's start. */
    timeZone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone (Europe/Paris)'),
    /** Media the built-in Kaltura emulator holds in memory at most; an upload beyond it is refused. */
    kalturaEmulatorMediaMegabytes: z.number().int().min(1).max(4096),
    /** Recording is refused, and a recording finished (disk_full), when the data folder's disk has less free space than this. */
    minFreeMegabytes: z.coerce.number().int().min(0),
    /** Where a remote Janus (JANUS_URL) sees the shared folder that is `<dataDir>/recordings/raw` here; null: the same path (Janus on this machine). */
    janusRawFolder: z.string().min(1).nullable(),
    /** Recordings processed (or published) at once on one instance: each processing runs ffmpeg on up to all cores. */
    processingConcurrency: z.number().int().min(0).max(32),
    /** Attempts of a recording job in all; a failure another attempt can help waits retryBaseSeconds, doubled each time. */
    maxAttempts: z.number().int().min(1).max(20),
    retryBaseSeconds: z.number().min(0.001).max(86_400),
    /** A running job says it is alive this often; one silent for jobStaleSeconds is taken over (its instance died). */
    jobHeartbeatSeconds: z.number().min(0.001).max(3600),
    jobStaleSeconds: z.number().min(0.001).max(86_400),
    /** How often an instance looks for due jobs (a recording's end and a retry do not wait for it). */
    jobPollSeconds: z.number().min(0.001).max(3600),
    /** The tools that turn Janus's recordings into one video (Debian: janus-tools and ffmpeg). */
    janusPpRecPath: z.string().min(1),
    ffmpegPath: z.string().min(1),
    ffprobePath: z.string().min(1),
    /** Free disk space kept on top of what a processing needs (its estimate of the output and converted streams). */
    minFreeDiskMegabytes: z.number().int().min(0),
  }).refine((value) => value.jobStaleSeconds > value.jobHeartbeatSeconds, { message: 'jobStaleSeconds must be longer than jobHeartbeatSeconds', path: ['jobStaleSeconds'] }),
  billing: z.object({
    enabled: z.boolean(),
    /** null: the built-in Stripe emulator, reached by the stripe package over HTTP. */
    secretKey: z.string().regex(/^(sk|rk)_\w+$/, 'must be a Stripe secret key (sk_…) or restricted key (rk_…)').nullable(),
    /** The webhook endpoint's signing secret (whsec_…); with the emulator, made once and kept in the data folder. */
    webhookSecret: z.string().regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)').nullable(),
    /** Where the stripe package sends API requests (a Stripe-compatible server such as stripe-mock); null: Stripe, or the built-in emulator. */
    apiUrl: z.url({ protocol: /^https?$/ }).nullable(),
    timeoutMs: z.coerce.number().int().min(100).max(60_000),
    /** ISO 4217, lower case as Stripe writes it. */
    currency: z.string().regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code (eur)'),
    /** The subscription's billing period; each plan's price for it is `plans.<id>.prices.<interval>`. */
    interval: z.enum(['month', 'year']),
    /** Pay by invoice: days between an invoice and its due date. */
    daysUntilDue: z.number().int().min(1).max(120),
  }),
  uploads: z.object({
    maxFileMegabytes: z.number().min(1).max(10_240),
    maxImageMegabytes: z.number().min(1).max(100),
    maxFilesPerUpload: z.number().int().min(1).max(100),
    /** Bytes of course files one course may hold, and all courses together: an upload that would go over is refused whole. */
    courseQuotaMegabytes: z.number().positive(),
    organisationQuotaMegabytes: z.number().positive(),
  }),
  mail: z.object({
    from: z.string().min(3),
    /** null: mail is written as .eml files to the data folder's outbox; smtp://user:pass@host:port or smtps://… in production. */
    smtpUrl: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').nullable(),
  }),
  backend: z.object({
    invitationTtlDays: z.number().min(0.01).max(90),
    passwordResetTtlMinutes: z.number().int().min(5).max(24 * 60),
    loginMaxFailures: z.number().int().min(1).max(100),
    loginLockMinutes: z.number().min(0.1).max(24 * 60),
    defaultLanguage: z.enum(['en', 'fr']),
  }),
}).superRefine((config, ctx) => {
  if (config.env === 'production' && config.kaltura.serviceUrl === null && !config.demoMode) {
    ctx.addIssue({
      code: 'custom',
      path: ['kaltura', 'serviceUrl'],
      message: 'is required in production (KALTURA_SERVICE_URL): without it the built-in Kaltura emulator and the demo portal, with its demo accounts, would run; set DEMO_MODE=true only to run the demo on purpose',
    });
  }
  if (config.env === 'production' && config.http.publicUrl === null) {
    ctx.addIssue({ code: 'custom', path: ['http', 'publicUrl'], message: 'is required in production (PUBLIC_URL): the address people open, which links in mails and launch tokens name' });
  }
  if (config.http.headersTimeoutMs > Math.min(config.http.requestTimeoutMs, config.http.uploadTimeoutMs)) {
    ctx.addIssue({ code: 'custom', path: ['http', 'headersTimeoutMs'], message: 'must not be longer than http.requestTimeoutMs and http.uploadTimeoutMs' });
  }
  if (config.billing.enabled && config.env === 'production' && config.billing.secretKey === null && !config.demoMode) {
    ctx.addIssue({ code: 'custom', path: ['billing', 'secretKey'], message: 'is required in production with billing on (STRIPE_SECRET_KEY): without it the built-in Stripe emulator would take the orders; set BILLING_ENABLED=false to set licences by hand' });
  }
  if (config.billing.secretKey !== null && config.billing.webhookSecret === null) {
    ctx.addIssue({ code: 'custom', path: ['billing', 'webhookSecret'], message: 'is required with STRIPE_SECRET_KEY (STRIPE_WEBHOOK_SECRET): licence counts follow Stripe\'s signed webhooks' });
  }
  if (config.kaltura.serviceUrl && !config.kaltura.adminSecret) {
    ctx.addIssue({ code: 'custom', path: ['kaltura', 'adminSecret'], message: 'is required when kaltura.serviceUrl is set (KALTURA_ADMIN_SECRET)' });
  }
});

/** The configuration as read: the public address may still be unknown until the service listens. */
export type LoadedConfig = z.output<typeof configSchema>;
/** The configuration a running service reads: its public address always known. */
export type AppConfig = LoadedConfig & { http: LoadedConfig['http'] & { publicUrl: string } };

/** PUBLIC_URL when set, else the address the service actually listens on (port 0 or PORT included). */
export function withListeningAddress(config: LoadedConfig, listeningUrl: string): AppConfig {
  if (config.http.publicUrl !== null) return config as AppConfig;
  return deepFreeze({ ...config, http: { ...config.http, publicUrl: listeningUrl } });
}
export type PlanDefinition = z.output<typeof planSchema>;
export type ConfigInput = Record<string, unknown>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variables and the config key each one sets. */
const ENVIRONMENT_KEYS: Record<string, { key: string[]; parse?: (raw: string, name: string) => unknown }> = {
  PORT: { key: ['http', 'port'] },
  HOST: { key: ['http', 'host'] },
  PUBLIC_URL: { key: ['http', 'publicUrl'] },
  EMBED_ORIGINS: { key: ['http', 'embedOrigins'], parse: (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean) },
  TRUSTED_PROXIES: { key: ['http', 'trustedProxies'], parse: parseTrustedProxies },
  MAX_CONNECTIONS: { key: ['http', 'maxConnections'] },
  DEMO_MODE: { key: ['demoMode'], parse: parseBooleanVariable },
  DATA_DIR: { key: ['dataDir'] },
  DATABASE_URL: { key: ['database', 'url'] },
  LOG_LEVEL: { key: ['log', 'level'] },
  LOG_REQUESTS: { key: ['log', 'requests'], parse: parseBooleanVariable },
  KALTURA_SERVICE_URL: { key: ['kaltura', 'serviceUrl'] },
  KALTURA_PARTNER_ID: { key: ['kaltura', 'partnerId'] },
  KALTURA_ADMIN_SECRET: { key: ['kaltura', 'adminSecret'] },
  KALTURA_USER_SECRET: { key: ['kaltura', 'userSecret'] },
  KALTURA_TIMEOUT_MS: { key: ['kaltura', 'timeoutMs'] },
  KALTURA_USER_ROLE_PROFILE_ID: { key: ['kaltura', 'userRoleMetadataProfileId'] },
  LAUNCH_TOKEN_PRIVATE_KEY: { key: ['launchToken', 'privateKeyPem'] },
  MODULE_SETTINGS: { key: ['moduleSettings'], parse: parseJsonVariable },
  SMTP_URL: { key: ['mail', 'smtpUrl'] },
  MEDIA_SERVER: { key: ['media', 'server'] },
  JANUS_URL: { key: ['media', 'janusUrls'], parse: (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean) },
  JANUS_API_SECRET: { key: ['media', 'janusApiSecret'] },
  JANUS_ADMIN_KEY: { key: ['media', 'janusAdminKey'] },
  JANUS_EXECUTABLE: { key: ['media', 'janusExecutable'] },
  JANUS_RECORDINGS_FOLDER: { key: ['recordings', 'janusRawFolder'] },
  RECORDING_MIN_FREE_MB: { key: ['recordings', 'minFreeMegabytes'] },
  JANUS_RTP_PORTS: { key: ['media', 'rtpPortRange'] },
  JANUS_PUBLIC_IP: { key: ['media', 'publicIp'] },
  STUN_SERVER: { key: ['media', 'stunServer'] },
  MAIL_FROM: { key: ['mail', 'from'] },
  BILLING_ENABLED: { key: ['billing', 'enabled'], parse: parseBooleanVariable },
  STRIPE_SECRET_KEY: { key: ['billing', 'secretKey'] },
  STRIPE_WEBHOOK_SECRET: { key: ['billing', 'webhookSecret'] },
  STRIPE_TIMEOUT_MS: { key: ['billing', 'timeoutMs'] },
  RECORDINGS_KALTURA_CATEGORY_ID: { key: ['recordings', 'kalturaCategoryId'], parse: (raw) => (raw.trim() === '' ? null : Number(raw)) },
  RECORDINGS_KALTURA_CATEGORY: { key: ['recordings', 'kalturaCategoryFullName'], parse: (raw) => (raw.trim() === '' ? null : raw) },
  RECORDINGS_TIME_ZONE: { key: ['recordings', 'timeZone'] },
  STRIPE_API_URL: { key: ['billing', 'apiUrl'] },
};

/** A hop count ("1") or a comma-separated list of addresses and subnets; the schema checks each. */
function parseTrustedProxies(raw: string): unknown {
  return /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseBooleanVariable(raw: string, name: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`Invalid configuration: ${name} must be true or false`);
}

function parseJsonVariable(raw: string, name: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(`Invalid configuration: ${name} is not valid JSON`);
  }
}

export interface LoadConfigOptions {
  environment?: NodeJS.ProcessEnv;
  overrides?: ConfigInput;
}

export function loadConfig({ environment = {}, overrides = {} }: LoadConfigOptions = {}): LoadedConfig {
  const envName = environment.NODE_ENV ?? 'development';
  let merged = readJsonFile(path.join(CONFIG_DIR, 'default.json'));
  const envFile = path.join(CONFIG_DIR, `${envName}.json`);
  if (existsSync(envFile)) merged = deepMerge(merged, readJsonFile(envFile));
  merged = deepMerge(merged, configFromEnvironment(environment));
  merged = deepMerge(merged, overrides);
  return parseConfig(merged);
}

export function parseConfig(input: unknown): LoadedConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return deepFreeze(result.data);
}

function configFromEnvironment(environment: NodeJS.ProcessEnv): ConfigInput {
  const fromEnv: ConfigInput = {};
  for (const [name, { key, parse }] of Object.entries(ENVIRONMENT_KEYS)) {
    const raw = environment[name];
    if (raw === undefined || raw === '') continue;
    setPath(fromEnv, key, parse ? parse(raw, name) : raw);
  }
  return fromEnv;
}

function readJsonFile(file: string): ConfigInput {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ConfigInput;
  } catch (error) {
    throw new ConfigError(`Cannot read ${path.basename(file)}: ${(error as Error).message}`);
  }
}

function setPath(target: ConfigInput, key: string[], value: unknown): void {
  let node = target;
  for (const part of key.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as ConfigInput;
  }
  node[key[key.length - 1]!] = value;
}

function isPlainObject(value: unknown): value is ConfigInput {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: ConfigInput, extra: ConfigInput): ConfigInput {
  const result: ConfigInput = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
