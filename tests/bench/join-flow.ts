/**
 * One person joining a channel meeting, as the embedded channel buttons do it:
 * arrive through /launch with their KS, read the channel's meeting actions,
 * read the buttons fragment for its CSRF token, and join. The same flow drives
 * the service and the bare Express baseline, so the two are measured alike.
 */
import { performance } from 'node:perf_hooks';
import { CookieJar, RequestFailure, type HttpClient, type HttpResponse } from './http-client.ts';

export const JOIN_STEPS = ['launch', 'read', 'csrf', 'join'] as const;
export type JoinStep = (typeof JOIN_STEPS)[number];
export type StepTimings = Record<JoinStep, number>;

export interface Joiner {
  userId: string;
  ks: string;
  /** Kept between passes: the same browser coming back keeps its cookies, as it would in MediaSpace. */
  jar: CookieJar;
}

export function newJoiner(userId: string, ks: string): Joiner {
  return { userId, ks, jar: new CookieJar() };
}

const CSRF_FIELD = /name="_csrf" value="([^"]+)"/;

export async function joinMeeting(client: HttpClient, channelId: number, joiner: Joiner): Promise<StepTimings> {
  const meeting = `/channels/${channelId}/meeting`;
  const timings = {} as StepTimings;

  // Each step is timed separately so a slow flow can be traced to the step that made it slow.
  async function step(name: JoinStep, path: string, options: { method?: 'GET' | 'POST'; accept: string; headers?: Record<string, string> }, expectStatus: number): Promise<HttpResponse> {
    const started = performance.now();
    let response: HttpResponse;
    try {
      response = await client.request(path, { method: options.method, headers: { accept: options.accept, cookie: joiner.jar.header(), ...options.headers } });
    } catch (error) {
      throw new RequestFailure(name, (error as Error).message);
    }
    timings[name] = performance.now() - started;
    joiner.jar.store(response.headers['set-cookie']);
    if (response.status !== expectStatus) throw new RequestFailure(name, `HTTP ${response.status} ${response.body.slice(0, 160).replace(/\s+/g, ' ')}`);
    return response;
  }

  await step('launch', `/launch?ks=${encodeURIComponent(joiner.ks)}&returnTo=${encodeURIComponent(meeting)}`, { accept: 'text/html' }, 303);

  const read = await step('read', meeting, { accept: 'application/json' }, 200);
  // A cheap check that the person really is offered Join: a 200 with no join action would be a silent failure.
  if (!read.body.includes('"join"')) throw new RequestFailure('read', `no join action in ${read.body.slice(0, 160)}`);

  const page = await step('csrf', meeting, { accept: 'text/html' }, 200);
  const token = CSRF_FIELD.exec(page.body)?.[1];
  if (!token) throw new RequestFailure('csrf', 'no _csrf field in the meeting fragment');

  // The embed script's way: JSON in, JSON out, the token in a header (a form post would get a 303 instead).
  const joined = await step('join', `${meeting}/join`, { method: 'POST', accept: 'application/json', headers: { 'x-csrf-token': token } }, 200);
  if (!joined.body.includes('"launchUrl"')) throw new RequestFailure('join', `no launchUrl in ${joined.body.slice(0, 160)}`);
  return timings;
}
