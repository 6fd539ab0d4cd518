// The doctor's view of the API server: read-only GETs, each bounded by a timeout, and the one error type they
// fail with. The kubeconfig-backed client is in kubeconfig-client.ts (it loads @kubernetes/client-node, an ES
// module, only when the command runs).
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';

/**
 * Why a request got no usable answer. `unreachable`: no connection (refused, DNS, TLS). `timeout`: no answer
 * in time. `http`: the API server answered with an error status (its Status message in `message`).
 */
export class ApiRequestError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'http',
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly text: string;
}

export interface DoctorClient {
  readonly server: string;
  readonly user: string;
  /** GET `pathAndQuery`; resolves with a 2xx answer, rejects with an ApiRequestError otherwise. */
  get(pathAndQuery: string, timeoutMs: number): Promise<ApiResponse>;
}

export class KubeconfigError extends Error {}

/** The kubeconfig file: --kubeconfig, else the first file of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, home = os.homedir()): string {
  if (explicit) return explicit;
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).find((p) => p.trim());
  return fromEnv ?? path.join(home, '.kube', 'config');
}

/** The Status message of an error answer, or its text. */
function statusMessage(text: string): string {
  try {
    const s = JSON.parse(text) as { message?: string };
    if (typeof s.message === 'string') return s.message;
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 500);
}

export function request(url: URL, options: https.RequestOptions, timeoutMs: number): Promise<ApiResponse> {
  const shown = `${url.origin}${url.pathname}${url.search}`;
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'http:' ? http : https;
    const req = lib.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ status, text });
        else reject(new ApiRequestError('http', shown, statusMessage(text) || `HTTP ${status}`, status));
      });
      res.on('error', (e) => reject(new ApiRequestError('unreachable', shown, e.message)));
    });
    // one deadline for connect and answer together (Node's `timeout` option only watches idle sockets)
    const timer = setTimeout(() => {
      req.destroy();
      reject(new ApiRequestError('timeout', shown, `no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ApiRequestError('unreachable', shown, e.code ? `${e.code}: ${e.message}` : e.message));
    });
    req.end();
  });
}

/** GET and parse JSON. */
export async function getJson<T = any>(client: DoctorClient, pathAndQuery: string, timeoutMs: number): Promise<T> {
  return JSON.parse((await client.get(pathAndQuery, timeoutMs)).text) as T;
}
