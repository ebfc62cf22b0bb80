/**
 * The portal's only door to the server: JSON calls with the CSRF token of the session they
 * belong to (patient or professional), problems (RFC 9457) turned into ApiError, uploads with
 * progress, and contents read as blobs for inline viewing.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly details: { field?: string; reason: string }[];
  constructor(status: number, code: string, detail: string, details: { field?: string; reason: string }[] = []) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.details = details;
  }
}

const csrf: { patient: string | null; pro: string | null } = { patient: null, pro: null };
export function setCsrf(kind: 'patient' | 'pro', token: string | null): void {
  csrf[kind] = token;
}
const tokenFor = (url: string) => (url.startsWith('/api/pro') || url.startsWith('/pro/') ? csrf.pro : csrf.patient);

async function problemOf(res: Response): Promise<ApiError> {
  let body: { code?: unknown; detail?: unknown; details?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    /* not JSON: keep the status */
  }
  return new ApiError(
    res.status,
    typeof body.code === 'string' ? body.code : res.status >= 500 ? 'internal' : 'bad_request',
    typeof body.detail === 'string' ? body.detail : res.statusText,
    Array.isArray(body.details) ? (body.details as { field?: string; reason: string }[]) : [],
  );
}

function headers(method: string, url: string, json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  const t = tokenFor(url);
  if (method !== 'GET' && t !== null) h['x-csrf-token'] = t;
  return h;
}

async function call(method: string, url: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { method, credentials: 'same-origin', headers: headers(method, url, body !== undefined), body: body === undefined ? null : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const res = await call(method, url, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T,>(url: string) => api<T>('GET', url);

/** A document's content as a blob (for an inline view), with the warning and emergency headers. */
export async function getBlob(url: string): Promise<{ blob: Blob; warning: string | null; emergencyMode: string | null }> {
  const res = await call('GET', url);
  return { blob: await res.blob(), warning: res.headers.get('x-carnet-warning'), emergencyMode: res.headers.get('x-carnet-emergency-mode') };
}

/** Sends a multipart form, reporting progress (0 to 1); resolves with the JSON answer. */
export function upload<T>(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    const t = tokenFor(url);
    if (t !== null) xhr.setRequestHeader('x-csrf-token', t);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The server cannot be reached.'));
    xhr.onload = () => {
      let body: { code?: string; detail?: string; details?: { field?: string; reason: string }[] } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* keep the status */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as T);
      } else {
        reject(new ApiError(xhr.status, body.code ?? 'bad_request', body.detail ?? xhr.statusText, body.details ?? []));
      }
    };
    xhr.send(form);
  });
}

/** Sends a file as the raw request body (e.g. a PDF as application/pdf); resolves with the JSON answer. */
export async function sendFile<T>(url: string, file: Blob, contentType: string): Promise<T> {
  const h = headers('POST', url, false);
  h['content-type'] = contentType;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: h, body: file });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as T;
}
