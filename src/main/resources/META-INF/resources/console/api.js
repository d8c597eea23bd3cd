// The console's only way to the service: the public REST API, with the admin token (when one is set) and the
// version of the last read in If-Match on every write.

const TOKEN_KEY = 'td.admin-token';
const BASE = '/api/v1/distributors';

/** An answer other than 2xx, with the problem document (RFC 9457) the API sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get violations() {
    return Array.isArray(this.problem.violations) ? this.problem.violations : [];
  }
  /** A write refused because the distributor changed since it was read (If-Match, 412). */
  get conflict() {
    return this.status === 412;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: value => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let unauthorized = () => {};
/** What to do when the API answers 401: ask for the token. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** One API call; resolves to {data, version} (version: the ETag's number, or null). */
export async function call(method, path, { body, version, contentType } = {}) {
  const headers = { Accept: 'application/json' };
  const secret = token.get();
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (version !== undefined && version !== null) headers['If-Match'] = `"${version}"`;
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, { title: 'The service cannot be reached', detail: 'The service cannot be reached. Is it running?' });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data || { title: response.statusText });
    if (response.status === 401) unauthorized(error);
    throw error;
  }
  const etag = response.headers.get('ETag');
  return { data, version: etag ? Number(etag.replace(/^W\//, '').replaceAll('"', '')) : null };
}

const path = name => '/' + encodeURIComponent(name);

export const api = {
  list: (q, limit, offset) => call('GET', `?${new URLSearchParams({ ...(q ? { q } : {}), limit, offset })}`),
  get: name => call('GET', path(name)),
  status: name => call('GET', path(name) + '/status'),
  traffic: name => call('GET', path(name) + '/traffic'),
  create: document => call('POST', '', { body: document }),
  replace: (name, document, version) => call('PUT', path(name), { body: document, version }),
  patch: (name, patch, version) => call('PATCH', path(name), { body: patch, version, contentType: 'application/merge-patch+json' }),
  remove: (name, version) => call('DELETE', path(name), { version }),
  revisions: (name, limit, offset) => call('GET', `${path(name)}/revisions?${new URLSearchParams({ limit, offset })}`),
  rollback: (name, revision, version) => call('POST', path(name) + '/rollback', { body: { version: revision }, version }),
};
