// Calls to the service with the operator's token. A refusal becomes an ApiError carrying the protocol's code.
import type { RefusalJson } from '@moneybag/api';
import { type Code, codeText } from '@moneybag/protocol';
import { t } from './text.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: Code | string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Fired on window with the refused token as detail. */
export const UNAUTHORIZED = 'moneybag:unauthorized';

export interface CallOptions {
  method?: string;
  token?: string;
  /** A JSON body, or raw protocol message bytes (sent as application/vnd.moneybag). */
  body?: unknown;
}

/** One request; the JSON answer, or an ApiError with the service's `{code, message}`. */
export async function call<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined;
  if (opts.body instanceof Uint8Array) {
    headers['content-type'] = 'application/vnd.moneybag';
    body = new Uint8Array(opts.body);
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body });
  } catch (e) {
    throw new ApiError(0, 'E_NETWORK', t('unreachable', { error: (e as Error).message }));
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    // A token the service no longer knows (a new data folder, a revoked token): the page asks again.
    if (res.status === 401 && opts.token)
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED, { detail: opts.token }));
    const j = (json ?? {}) as Partial<RefusalJson>;
    const code = j.code ?? `HTTP ${res.status}`;
    throw new ApiError(res.status, code, j.message ?? codeText(code));
  }
  return json as T;
}

/** The operator's token of one page, kept for this browser tab only. */
export const tokenStore = (page: string) => {
  const key = `moneybag.${page}.token`;
  return {
    get: (): string | null => sessionStorage.getItem(key),
    set: (t: string) => sessionStorage.setItem(key, t),
    clear: () => sessionStorage.removeItem(key),
  };
};
