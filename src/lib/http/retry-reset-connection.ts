/**
 * A request sent on a kept-alive connection that the other side had just
 * closed as idle fails with ECONNRESET before the other side read it. Node's
 * documentation names the remedy: send it again, once, on a new connection.
 * Only such a request is retried (`reusedSocket`): on a fresh connection the
 * same error may mean the request was received, and is left to the caller.
 */
import http from 'node:http';
import https from 'node:https';
import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);
/** The second try opens a connection of its own: the pool's other idle ones may have been closed as well. */
const FRESH_CONNECTION = { httpAgent: new http.Agent({ keepAlive: false }), httpsAgent: new https.Agent({ keepAlive: false }) };

type RetriedConfig = InternalAxiosRequestConfig & { resentAfterReset?: boolean };

export function retryResetKeptAliveConnections(axios: AxiosInstance): void {
  axios.interceptors.response.use(undefined, (error: AxiosError) => {
    const config = error.config as RetriedConfig | undefined;
    const reused = wentOutOnAKeptConnection(error.request);
    if (!config || config.resentAfterReset || !reused || !RESET_CODES.has(error.code ?? '') || !canSendAgain(config.data)) return Promise.reject(error);
    return axios.request({ ...config, ...FRESH_CONNECTION, resentAfterReset: true } as RetriedConfig);
  });
}

/** A body read from a stream is gone once sent; everything else can be sent as it was. */
function canSendAgain(data: unknown): boolean {
  return typeof (data as { pipe?: unknown } | null | undefined)?.pipe !== 'function';
}

/** Node's request, or the one inside follow-redirects' wrapper (axios's default), says whether its socket was a kept one. */
function wentOutOnAKeptConnection(request: unknown): boolean {
  const sent = request as { reusedSocket?: boolean; _currentRequest?: { reusedSocket?: boolean } } | undefined;
  return (sent?.reusedSocket ?? sent?._currentRequest?.reusedSocket) === true;
}
