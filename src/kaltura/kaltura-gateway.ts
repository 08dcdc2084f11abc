/**
 * The one place that talks to Kaltura, always through kaltura-client over
 * HTTP. It answers in the module's terms (identities, channels, memberships)
 * and turns Kaltura's failures into AppErrors a person can understand.
 */
import { retryResetKeptAliveConnections } from '../lib/http/retry-reset-connection.ts';
import http from 'node:http';
import https from 'node:https';
import kaltura from 'kaltura-client';
import { z } from 'zod';
import { AppError, NotFoundError, UpstreamError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import {
  categorySchema,
  categoryUserSchema,
  kalturaApiErrorSchema,
  listResponseSchema,
  metadataSchema,
  userSchema,
  type KalturaCategory,
  type KalturaCategoryUser,
  type KalturaUser,
} from './kaltura-records.ts';
import { acceptedSession, isKsRejection, ksValidationRequests } from './ks-validation.ts';
import { inGroups, listAll, listQuery, type PagingTransport } from './kaltura-paging.ts';
import { createMediaCalls, type KalturaMediaGateway } from './kaltura-media-gateway.ts';

const SESSION_TYPE_USER = 0;
const SESSION_TYPE_ADMIN = 2;
const METADATA_OBJECT_TYPE_USER = '3';
const CATEGORY_USER_ACTIVE = 1;
const INHERITANCE_INHERIT = 1;

export interface KsIdentity {
  userId: string;
  partnerId: number;
  /** When Kaltura stops honouring this KS, in ms. */
  expiresAt: number;
  user: KalturaUser;
  /** The MediaSpace user-roles metadata XML, if the user has a record. */
  roleMetadataXml: string | null;
}

export interface ChannelMembership {
  permissionLevel: number;
  active: boolean;
}

export interface ChannelAccess {
  channel: KalturaCategory;
  membership: ChannelMembership | null;
}

export interface UserChannel {
  channel: KalturaCategory;
  permissionLevel: number;
}

export interface DirectoryUser {
  user: KalturaUser;
  roleMetadataXml: string | null;
}

export interface KalturaGateway extends KalturaMediaGateway {
  /** Validates a user's KS with Kaltura and loads the user it belongs to. */
  resolveKs(ks: string): Promise<KsIdentity>;
  getChannel(channelId: number): Promise<KalturaCategory>;
  getMembership(channelId: number, userId: string): Promise<ChannelMembership | null>;
  /** Channel and membership in one round trip. */
  getChannelAccess(channelId: number, userId: string): Promise<ChannelAccess>;
  listUserChannels(userId: string): Promise<UserChannel[]>;
  listUsers(): Promise<DirectoryUser[]>;
  /** A USER KS for a user: only the demo portal, which plays MediaSpace's part, needs it. */
  startUserSession(userId: string, expirySeconds: number): Promise<string>;
  /** HTTP requests sent to Kaltura so far (a multirequest counts once). */
  callCount(): number;
}

export interface KalturaGatewayOptions {
  serviceUrl: string;
  partnerId: number;
  adminSecret: string;
  userSecret: string | null;
  timeoutMs: number;
  userRoleMetadataProfileId: number | null;
  adminSessionTtlSeconds: number;
  /** How long one upload call (a chunk of a file) may take; the other calls' timeoutMs otherwise. */
  uploadTimeoutMs?: number;
  now?: () => number;
}

const messages = {
  channelNotFound: phrase('kaltura:errors.channelNotFound'),
  timeout: (ms: number) => phrase('kaltura:errors.timeout', { count: Math.round(ms / 100) / 10 }),
  unreachable: phrase('kaltura:errors.unreachable'),
  unexpected: phrase('kaltura:errors.unexpected'),
  kalturaError: (code: string) => phrase('kaltura:errors.refused', { code }),
  retryHelp: phrase('kaltura:errors.retryHelp'),
};

/** A Kaltura API exception, kept with its code so callers can decide what it means for them. */
export class KalturaApiError extends UpstreamError {
  readonly kalturaCode: string;
  constructor(kalturaCode: string, kalturaMessage: string) {
    super(messages.kalturaError(kalturaCode), { help: messages.retryHelp, cause: new Error(kalturaMessage) });
    this.kalturaCode = kalturaCode;
  }
}

export function createKalturaGateway(options: KalturaGatewayOptions): KalturaGateway {
  const now = options.now ?? Date.now;
  const client = createClient(options.serviceUrl, options.timeoutMs);
  const uploadTimeoutMs = options.uploadTimeoutMs ?? options.timeoutMs;
  const uploadClient = createClient(options.serviceUrl, uploadTimeoutMs);
  let calls = 0;
  let adminSession: { ks: Promise<string>; renewAt: number } | null = null;

  async function send(request: { execute(c: typeof client): Promise<unknown> }, { upload = false } = {}): Promise<unknown> {
    calls += 1;
    try {
      return await request.execute(upload ? uploadClient : client);
    } catch (error) {
      throw translateFailure(error, upload ? uploadTimeoutMs : options.timeoutMs);
    }
  }

  function adminKs(): Promise<string> {
    if (adminSession && now() < adminSession.renewAt) return adminSession.ks;
    const ttl = options.adminSessionTtlSeconds;
    const ks = send(kaltura.services.session.start(options.adminSecret, '', SESSION_TYPE_ADMIN, options.partnerId, ttl, 'disableentitlement')).then(
      (result) => parse(stringSchema, result),
    );
    // Renew well before expiry; forget a failed start so the next call tries again.
    adminSession = { ks, renewAt: now() + ttl * 800 };
    ks.catch(() => {
      adminSession = null;
    });
    return ks;
  }

  /** Runs admin calls, starting a fresh admin KS once if Kaltura says ours is no longer valid. */
  async function withAdminKs<T>(run: (ks: string) => Promise<T>): Promise<T> {
    try {
      return await run(await adminKs());
    } catch (error) {
      if (!(error instanceof KalturaApiError) || !isKsRejection(error.kalturaCode)) throw error;
      adminSession = null;
      return run(await adminKs());
    }
  }

  async function sendMulti(requests: Array<ReturnType<typeof kaltura.services.session.get>>): Promise<unknown[]> {
    const multi = new kaltura.MultiRequestBuilder();
    for (const request of requests) multi.add(request);
    // kaltura-client's multirequest throws inside a promise callback when the whole
    // request fails (timeout, HTTP error), which leaves its promise pending forever
    // and crashes Node with an unhandled rejection. Report straight to the caller instead.
    multi.callback = (success, results) => multi.generalCallback?.(success, results);
    const results = await send(multi);
    if (!Array.isArray(results) || results.length !== requests.length) throw unexpected(results);
    return results;
  }

  const paging: PagingTransport = { sendMulti, unwrap: (result) => unwrap(result), parse };
  const media = createMediaCalls({
    adminCall: (build, errors = {}, sendOptions = {}) => withAdminKs(async (ks) => send(build(ks), sendOptions).catch(rethrowMapped(errors))),
    parse,
  });

  return {
    ...media,
    callCount: () => calls,

    resolveKs: (ks) =>
      withAdminKs(async (admin) => {
        const [sessionResult, userResult, metadataResult] = await sendMulti(ksValidationRequests(ks, admin, options.userRoleMetadataProfileId));
        const session = acceptedSession(sessionResult, userResult, {
          partnerId: options.partnerId,
          now: now(),
          adminKsRejected: (error) => {
            throw new KalturaApiError(error.code, error.message);
          },
          kalturaFailed: (result) => {
            throw unexpected(result);
          },
        });
        const user = parse(userSchema, unwrap(userResult));
        if (user.id !== session.userId) throw unexpected(userResult);
        const metadata = metadataResult === undefined ? null : parse(listResponseSchema(metadataSchema), unwrap(metadataResult));
        return {
          userId: session.userId,
          partnerId: session.partnerId,
          expiresAt: session.expiry * 1000,
          user,
          roleMetadataXml: metadata?.objects[0]?.xml ?? null,
        };
      }),

    getChannel: (channelId) =>
      withAdminKs(async (ks) => parse(categorySchema, await send(kaltura.services.category.get(channelId).setKs(ks)).catch(rethrowMapped(channelErrors)))),

    getMembership: (channelId, userId) =>
      withAdminKs(async (ks) => {
        const filter = new kaltura.objects.CategoryUserFilter({ categoryIdEqual: channelId, userIdEqual: userId });
        const list = parse(listResponseSchema(categoryUserSchema), await send(kaltura.services.categoryUser.listAction(filter).setKs(ks)));
        return membershipOf(list.objects, userId);
      }),

    getChannelAccess: (channelId, userId) =>
      withAdminKs(async (ks) => {
        const filter = new kaltura.objects.CategoryUserFilter({ categoryIdEqual: channelId, userIdEqual: userId });
        const [categoryResult, membersResult] = await sendMulti([
          kaltura.services.category.get(channelId).setKs(ks),
          kaltura.services.categoryUser.listAction(filter).setKs(ks),
        ]);
        const channel = parse(categorySchema, unwrap(categoryResult, channelErrors));
        const list = parse(listResponseSchema(categoryUserSchema), unwrap(membersResult));
        return { channel, membership: membershipOf(list.objects, userId) };
      }),

    listUserChannels: (userId) =>
      withAdminKs(async (ks) => {
        const memberFilter = { userIdEqual: userId, statusEqual: CATEGORY_USER_ACTIVE, orderBy: '+createdAt' };
        const [members] = await listAll(paging, [
          listQuery({
            page: (pager) => kaltura.services.categoryUser.listAction(new kaltura.objects.CategoryUserFilter(memberFilter), pager).setKs(ks),
            item: categoryUserSchema,
            key: (member) => member.categoryId,
          }),
        ]);
        const levels = new Map(members.map((member) => [member.categoryId, member.permissionLevel]));
        // The channels the person is a member of, and those that inherit their members from one of them.
        const categoryQueries = inGroups([...levels.keys()]).flatMap((group) =>
          [{ idIn: group.join(',') }, { inheritedParentIdIn: group.join(',') }].map((filter) =>
            listQuery({
              page: (pager) => kaltura.services.category.listAction(new kaltura.objects.CategoryFilter({ ...filter, orderBy: '+createdAt' }), pager).setKs(ks),
              item: categorySchema,
              key: (channel) => channel.id,
            }),
          ),
        );
        const channels = new Map((await listAll(paging, categoryQueries)).flat().map((channel) => [channel.id, channel]));
        return [...channels.values()]
          .flatMap((channel) => {
            const permissionLevel = levels.get(membershipSourceOf(channel));
            return permissionLevel === undefined ? [] : [{ channel, permissionLevel }];
          })
          .sort((a, b) => a.channel.name.localeCompare(b.channel.name));
      }),

    listUsers: () =>
      withAdminKs(async (ks) => {
        const profileId = options.userRoleMetadataProfileId;
        const usersQuery = listQuery({
          page: (pager) => kaltura.services.user.listAction(new kaltura.objects.UserFilter({ orderBy: '+id' }), pager).setKs(ks),
          item: userSchema,
          key: (user) => user.id,
        });
        const rolesFilter = { metadataProfileIdEqual: profileId, metadataObjectTypeEqual: METADATA_OBJECT_TYPE_USER, orderBy: '+createdAt' };
        const rolesQuery = listQuery({
          page: (pager) => kaltura.services.metadata.listAction(new kaltura.objects.MetadataFilter(rolesFilter), pager).setKs(ks),
          item: metadataSchema,
          key: (record) => record.objectId,
        });
        const [users, records = []] = profileId === null ? await listAll(paging, [usersQuery]) : await listAll(paging, [usersQuery, rolesQuery]);
        const roles = new Map(records.map((record) => [record.objectId, record.xml ?? null]));
        return users.map((user) => ({ user, roleMetadataXml: roles.get(user.id) ?? null }));
      }),

    async startUserSession(userId, expirySeconds) {
      const secret = options.userSecret ?? options.adminSecret;
      return parse(stringSchema, await send(kaltura.services.session.start(secret, userId, SESSION_TYPE_USER, options.partnerId, expirySeconds, '')));
    },
  };
}

/** Connections kept open to Kaltura per instance of the service. */
const KALTURA_MAX_SOCKETS = 32;

function createClient(serviceUrl: string, timeoutMs: number) {
  const config = new kaltura.Configuration();
  config.serviceUrl = serviceUrl;
  config.timeout = timeoutMs;
  // A logger that is not kaltura-client's own ILogger turns its console logging (which includes the KS) off.
  config.setLogger({ log() {}, error() {}, debug() {} });
  const client = new kaltura.Client(config);
  // Connections to Kaltura are kept and reused, and bounded: a burst of launches queues for a
  // socket instead of opening (and, in production, TLS-handshaking) one connection each.
  const agent = { keepAlive: true, maxSockets: KALTURA_MAX_SOCKETS };
  client.axios.defaults.httpAgent = new http.Agent(agent);
  client.axios.defaults.httpsAgent = new https.Agent(agent);
  // A kept connection Kaltura closed as idle just as a request went out: sent again once (Kaltura never read it).
  retryResetKeptAliveConnections(client.axios);
  return client;
}

const stringSchema = z.string().min(1);

/** The category whose members a channel has: its own, or for one that inherits them, the category they come from. */
function membershipSourceOf(channel: KalturaCategory): number {
  return channel.inheritanceType === INHERITANCE_INHERIT && channel.inheritedParentId ? channel.inheritedParentId : channel.id;
}

/**
 * The list was asked for one channel and one user. For a channel that inherits its members
 * (inheritanceType INHERIT), Kaltura answers the membership in the category it inherits from,
 * stamped with that category's id, so the record is matched on the user alone.
 */
function membershipOf(records: KalturaCategoryUser[], userId: string): ChannelMembership | null {
  const record = records.find((r) => r.userId === userId);
  return record ? { permissionLevel: record.permissionLevel, active: record.status === CATEGORY_USER_ACTIVE } : null;
}

type ErrorMap = Record<string, () => AppError>;

const channelErrors: ErrorMap = {
  CATEGORY_NOT_FOUND: () => new NotFoundError(messages.channelNotFound, { code: 'CHANNEL_NOT_FOUND' }),
};

/** Single requests fail with a KalturaApiError; give the codes a caller understands their own meaning. */
function rethrowMapped(errorMap: ErrorMap): (error: unknown) => never {
  return (error) => {
    const mapped = error instanceof KalturaApiError ? errorMap[error.kalturaCode] : undefined;
    throw mapped ? mapped() : error;
  };
}

function unwrap(result: unknown, errorMap: ErrorMap = {}): unknown {
  const error = kalturaApiErrorSchema.safeParse(result);
  if (!error.success) return result;
  const mapped = errorMap[error.data.code];
  throw mapped ? mapped() : new KalturaApiError(error.data.code, error.data.message);
}

function parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw unexpected(value);
  return result.data;
}

function unexpected(value: unknown): UpstreamError {
  const error = kalturaApiErrorSchema.safeParse(value);
  if (error.success) return new KalturaApiError(error.data.code, error.data.message);
  return new UpstreamError(messages.unexpected, { help: messages.retryHelp, code: 'KALTURA_UNEXPECTED' });
}

function translateFailure(error: unknown, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  // kaltura-client rejects with Kaltura's error body (a plain object) or with the transport's Error;
  // both have a code and a message, so tell them apart by what they are.
  if (!(error instanceof Error)) {
    const apiError = kalturaApiErrorSchema.safeParse(error);
    if (apiError.success) return new KalturaApiError(apiError.data.code, apiError.data.message);
  }
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new UpstreamError(messages.timeout(timeoutMs), { timeout: true, help: messages.retryHelp, code: 'KALTURA_TIMEOUT', cause: error });
  }
  if (code && /^E[A-Z]+$/.test(code)) return new UpstreamError(messages.unreachable, { help: messages.retryHelp, code: 'KALTURA_UNREACHABLE', cause: error });
  return new UpstreamError(messages.unexpected, { help: messages.retryHelp, code: 'KALTURA_UNEXPECTED', cause: error });
}
