import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface SampleSmartAppOptions {
  /** Port to listen on (0: any free port). */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** The FHIR base the app launches against (its `iss`). */
  fhirBaseUrl: string;
  /** The authorization server's public URL: the only other origin the page may call. */
  authorizationUrl: string;
  /** The app's client_id, registered as a public client with the redirect URI `<origin>/app.html`. */
  clientId: string;
  /** Scopes the app asks for. */
  scope?: string;
}

export interface RunningSampleSmartApp {
  /** Where the app is served, e.g. http://127.0.0.1:3005. */
  url: string;
  close(): Promise<void>;
}

export const SAMPLE_APP_SCOPE = 'openid fhirUser launch/patient offline_access patient/*.read';

const PUBLIC_DIR = path.join(__dirname, 'public');

type ServedFile = { file: string; type: string };

/** The static files, and SMART's client library from the installed package: nothing from a CDN. */
const PAGE_FILES: Record<string, ServedFile> = {
  '/': { file: path.join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/index.html': { file: path.join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.html': { file: path.join(PUBLIC_DIR, 'app.html'), type: 'text/html; charset=utf-8' },
  '/launch.js': { file: path.join(PUBLIC_DIR, 'launch.js'), type: 'text/javascript; charset=utf-8' },
  '/app.js': { file: path.join(PUBLIC_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: path.join(PUBLIC_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
};

/**
 * Serves the sample SMART app: a static page that launches standalone against the FHIR base with
 * SMART's `fhirclient`, on its own origin, so every call it makes to the platform is cross-origin.
 */
export async function startSampleSmartApp(options: SampleSmartAppOptions): Promise<RunningSampleSmartApp> {
  // Resolved here, not at import: fhirclient is a development dependency, absent from service images.
  const files: Record<string, ServedFile> = {
    ...PAGE_FILES,
    // The browser build without polyfills: every browser that runs the rest of the page has fetch and WebCrypto.
    '/fhir-client.js': { file: require.resolve('fhirclient/build/fhir-client.pure.min.js'), type: 'text/javascript; charset=utf-8' },
  };
  const config = JSON.stringify({ iss: options.fhirBaseUrl, clientId: options.clientId, scope: options.scope ?? SAMPLE_APP_SCOPE });
  const connectSources = [...new Set([new URL(options.fhirBaseUrl).origin, new URL(options.authorizationUrl).origin])].join(' ');
  const headers = {
    'Content-Security-Policy': `default-src 'self'; connect-src 'self' ${connectSources}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed');
        return;
      }
      const pathname = URL.parse(request.url ?? '/', 'http://app.invalid')?.pathname ?? '';
      if (pathname === '/config.json') {
        response.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(request.method === 'HEAD' ? undefined : config);
        return;
      }
      const served = Object.hasOwn(files, pathname) ? files[pathname] : undefined;
      if (!served) {
        response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      const body = await readFile(served.file);
      response.writeHead(200, { ...headers, 'Content-Type': served.type }).end(request.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
