/**
 * A small browser stand-in for integration tests: keeps cookies (honouring
 * their Path), follows nothing by itself, and finds the CSRF token of the
 * last page it read.
 */
export interface AgentResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  json<T = any>(): T;
}

interface StoredCookie {
  value: string;
  path: string;
}

export class TestAgent {
  readonly baseUrl: string;
  readonly #cookies = new Map<string, StoredCookie>();
  #csrf: string | null = null;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  get csrfToken(): string | null {
    return this.#csrf;
  }

  cookie(name: string, path?: string): string | undefined {
    for (const [key, cookie] of this.#cookies) if (key.startsWith(`${name}|`) && (path === undefined || cookie.path === path)) return cookie.value;
    return undefined;
  }

  async get(path: string, { accept = 'text/html', headers = {} }: { accept?: string; headers?: Record<string, string> } = {}): Promise<AgentResponse> {
    return this.request('GET', path, { accept, headers });
  }

  async post(path: string, form: Record<string, string | string[]> = {}, { accept = 'text/html', csrf = true, headers = {} }: { accept?: string; csrf?: boolean; headers?: Record<string, string> } = {}): Promise<AgentResponse> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) for (const item of [value].flat()) body.append(key, item);
    if (csrf && !('_csrf' in form)) {
      if (!this.#csrf) await this.get('/');
      if (this.#csrf) body.append('_csrf', this.#csrf);
    }
    return this.request('POST', path, { accept, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: body.toString() });
  }

  async postJson(path: string, payload: unknown, { headers = {} }: { headers?: Record<string, string> } = {}): Promise<AgentResponse> {
    return this.request('POST', path, { accept: 'application/json', headers: { 'content-type': 'application/json', ...(this.#csrf ? { 'x-csrf-token': this.#csrf } : {}), ...headers }, body: JSON.stringify(payload) });
  }

  /**
   * A multipart upload, as a browser sends a form with files. The CSRF token is the form's first
   * field, as the pages put it (multipart bodies are checked before their files are read), unless
   * the form has one already or `csrf` is false.
   */
  async postMultipart(path: string, form: FormData, { accept = 'text/html', csrf = true, headers = {} }: { accept?: string; csrf?: boolean; headers?: Record<string, string> } = {}): Promise<AgentResponse> {
    if (csrf && !this.#csrf) await this.get('/');
    return this.request('POST', path, { accept, headers, body: csrf && this.#csrf && !form.has('_csrf') ? withTokenFirst(form, this.#csrf) : form });
  }

  /** Downloads as bytes (files, images, ranges of a video). */
  async getBytes(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const url = new URL(path, this.baseUrl);
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: this.#cookieHeader(url.pathname), ...headers } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  /** Follows redirects within the service, as a browser would, answering the final response. */
  async follow(response: AgentResponse, limit = 5): Promise<AgentResponse> {
    let current = response;
    for (let hop = 0; hop < limit && current.location && current.status >= 300 && current.status < 400; hop++) {
      current = await this.get(current.location);
    }
    return current;
  }

  async request(method: string, path: string, { accept, headers = {}, body }: { accept: string; headers?: Record<string, string>; body?: string | FormData }): Promise<AgentResponse> {
    const url = new URL(path, this.baseUrl);
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { accept, cookie: this.#cookieHeader(url.pathname), ...headers },
      body,
    });
    for (const header of response.headers.getSetCookie()) this.#store(header);
    const text = await response.text();
    const token = text.match(/name="_csrf" value="([^"]+)"/);
    if (token) this.#csrf = token[1]!;
    const location = response.headers.get('location');
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: location ? new URL(location, url).pathname + new URL(location, url).search : null,
      json: () => JSON.parse(text),
    };
  }

  #cookieHeader(pathname: string): string {
    return [...this.#cookies.entries()]
      .filter(([, cookie]) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) || cookie.path === '/')
      .map(([key, cookie]) => `${key.split('|')[0]}=${cookie.value}`)
      .join('; ');
  }

  #store(header: string): void {
    const [pair, ...attributes] = header.split(';').map((part) => part.trim());
    const [name, ...rest] = pair!.split('=');
    const value = rest.join('=');
    const path = attributes.find((attribute) => attribute.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const expired = attributes.some((attribute) => /^expires=/i.test(attribute) && new Date(attribute.slice(8)).getTime() < Date.now()) || value === '';
    const key = `${name}|${path}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { value, path });
  }
}

/** The same form with the CSRF token as its first field. */
export function withTokenFirst(form: FormData, token: string): FormData {
  const first = new FormData();
  first.append('_csrf', token);
  form.forEach((value, name) => first.append(name, value));
  return first;
}
