/**
 * A Kaltura API emulator for development, tests and the demo: the wire format
 * kaltura-client speaks (JSON over POST to /api_v3/service/{service}/action/{action}
 * and /api_v3/service/multirequest), KS checks on every call, Kaltura's list
 * answers and Kaltura's error objects. The service talks to it only over HTTP,
 * exactly as it talks to Kaltura.
 */
import express, { type Router } from 'express';
import type { ActionDefinition, PublicCall, ServiceActions } from './action-types.ts';
import { categoryActions } from './category-actions.ts';
import { categoryUserActions } from './category-user-actions.ts';
import { applyFixture, type EmulatorFixture } from './demo-fixture.ts';
import { createEmulatorState, type EmulatorState } from './emulator-state.ts';
import { apiError, toErrorResponse } from './kaltura-errors.ts';
import { metadataActions, metadataProfileActions } from './metadata-actions.ts';
import { readInt, readString, type Params } from './param-readers.ts';
import { sessionActions } from './session-actions.ts';
import { verifyCallerSession } from './session-verifier.ts';
import { userActions } from './user-actions.ts';

export type { EmulatorFixture } from './demo-fixture.ts';

export interface EmulatorPartner {
  id: number;
  name: string;
  adminSecret: string;
  userSecret: string;
}

export interface KalturaEmulatorOptions {
  partners: EmulatorPartner[];
  /** Seeds partners[0]. */
  fixture?: EmulatorFixture;
  /** Milliseconds since the epoch; tests move it instead of sleeping. */
  now?: () => number;
}

export interface KalturaEmulator {
  /** Mount at '/api_v3'. */
  router: Router;
  /** HTTP requests served; a multirequest counts once. */
  requestCount(): number;
}

/** Service names in lower case: Kaltura matches them case-insensitively. */
const SERVICES: Record<string, ServiceActions> = {
  session: sessionActions,
  user: userActions,
  category: categoryActions,
  categoryuser: categoryUserActions,
  metadata_metadataprofile: metadataProfileActions,
  metadata_metadata: metadataActions,
};

const REFERENCE = /\{(\d+):result(?::([^}]*))?\}/g;
const WHOLE_REFERENCE = /^\{(\d+):result(?::([^}]*))?\}$/;

export function createKalturaEmulator({ partners, fixture, now = Date.now }: KalturaEmulatorOptions): KalturaEmulator {
  if (partners.length === 0) throw new Error('The Kaltura emulator needs at least one partner');
  const state = createEmulatorState(partners);
  if (fixture) applyFixture(state, state.partners.get(partners[0]!.id)!, fixture, nowSeconds(now));
  let requests = 0;

  const router = express.Router();
  router.use(express.json({ limit: '1mb', type: () => true }));
  router.use(express.urlencoded({ extended: true, limit: '1mb' }));

  router.all('/service/multirequest', (req, res) => {
    requests += 1;
    const body = paramsOf(req.body, req.query);
    const results: unknown[] = [];
    for (const index of subRequestIndexes(body)) {
      const sub = { ...(body[index] as Params) };
      const service = String(sub.service ?? '');
      const action = String(sub.action ?? '');
      const params = resolveReferences(sub, results) as Params;
      params.ks ??= body.ks;
      results.push(answer(() => runCall(state, service, action, params, nowSeconds(now))));
    }
    res.json(results);
  });

  router.all('/service/:service/action/:action', (req, res) => {
    requests += 1;
    res.json(answer(() => runCall(state, req.params.service!, req.params.action!, paramsOf(req.body, req.query), nowSeconds(now))) ?? null);
  });

  router.all('/service/:service', (req, res) => {
    requests += 1;
    res.json(toErrorResponse(apiError('ACTION_NOT_SPECIFIED')));
  });

  // Kaltura answers even a broken request with HTTP 200 and an API exception.
  router.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const parseFailed = (error as { type?: string } | null)?.type === 'entity.parse.failed';
    res.status(200).json(toErrorResponse(parseFailed ? apiError('INTERNAL_SERVERL_ERROR', { ERROR: 'Invalid JSON' }) : error));
  });

  return { router, requestCount: () => requests };
}

function runCall(state: EmulatorState, service: string, action: string, params: Params, seconds: number): unknown {
  if (!service) throw apiError('SERVICE_NOT_SPECIFIED');
  if (!action) throw apiError('ACTION_NOT_SPECIFIED');
  const actions = SERVICES[service.toLowerCase()];
  if (!actions) throw apiError('SERVICE_DOES_NOT_EXISTS', { SRV_NAME: service });
  const definition: ActionDefinition | undefined = actions[action.toLowerCase()];
  if (!definition) throw apiError('ACTION_DOES_NOT_EXISTS', { ACTION_NAME: action, SERVICE_NAME: service });
  const call: PublicCall = { service, action, params, state, nowSeconds: seconds };
  if (definition.access === 'public') return definition.run(call);

  const session = verifyCallerSession(state, readString(params, 'ks'), readInt(params, 'partnerId'), seconds);
  if (definition.access === 'admin' && !session.isAdmin) throw apiError('SERVICE_FORBIDDEN', { SERVICE: `${service}->${action}` });
  return definition.run({ ...call, session, data: state.partners.get(session.partnerId)! });
}

/** A result, or the Kaltura error object that stands in its place. */
function answer(run: () => unknown): unknown {
  try {
    return run() ?? null;
  } catch (error) {
    return toErrorResponse(error);
  }
}

function paramsOf(body: unknown, query: unknown): Params {
  const fromBody = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Params) : {};
  return { ...(query as Params), ...fromBody };
}

/** kaltura-client numbers sub-requests from 0; references ({1:result}) count from 1. */
function subRequestIndexes(body: Params): string[] {
  return Object.keys(body)
    .filter((key) => /^\d+$/.test(key) && typeof body[key] === 'object' && body[key] !== null)
    .sort((a, b) => Number(a) - Number(b));
}

/** Replaces `{N:result:path}` anywhere in the parameters with that earlier result's value. */
function resolveReferences(value: unknown, results: readonly unknown[]): unknown {
  if (typeof value === 'string') {
    const whole = value.match(WHOLE_REFERENCE);
    if (whole) return lookUp(results, Number(whole[1]), whole[2]) ?? value;
    return value.replace(REFERENCE, (token, index: string, path: string | undefined) => {
      const found = lookUp(results, Number(index), path);
      return found === undefined || typeof found === 'object' ? token : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, results));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, results)]));
  }
  return value;
}

function lookUp(results: readonly unknown[], index: number, path: string | undefined): unknown {
  let current: unknown = results[index - 1];
  if (isErrorResult(current)) return undefined;
  for (const part of path ? path.split(':') : []) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function isErrorResult(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { objectType?: unknown }).objectType === 'KalturaAPIException';
}

function nowSeconds(now: () => number): number {
  return Math.floor(now() / 1000);
}
