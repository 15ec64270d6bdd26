import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARD_CACHE_CONTROL, type DashboardConfig } from '../../../domain/dashboard';
import type { WireResponse } from './protocols/response';

/**
 * The built dashboard (`npm run build:web` writes dist/web/) served by `slipway local serve` at
 * `/dashboard/`, as CloudFront serves it from the account stack's bucket: static files only, and
 * `config.json` beside index.html, which on AWS the account stack writes and here the endpoint answers
 * with its own region, prefix, URL, local OpenID Connect issuer, people role and actions URL
 * (docs/dashboard.md). Nothing else of the endpoint changes: the page
 * reaches each service at `http://<signing name>.localhost:<port>` as any browser client does, and gets
 * the CORS answers AWS gives.
 */

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/dashboard/';

/** What `config.json` holds for the local endpoint (its people's sign-in: ./sts.ts `dashboardConfig`). */
export type LocalDashboardConfig = DashboardConfig;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Whether a request path is the dashboard's. */
export function isDashboardPath(pathname: string): boolean {
  return pathname === '/dashboard' || pathname.startsWith(DASHBOARD_PATH);
}

/**
 * Answers a GET or HEAD of a path under `/dashboard/`: `config.json` from `config`, else the file of
 * `<rootDir>/dist/web/` it names (index.html for the folder). A path that leaves that folder, a missing
 * file and a dashboard that was never built are 404s that say what to do.
 */
export function dashboardFile(method: string, pathname: string, rootDir: string, config: () => LocalDashboardConfig): WireResponse {
  const text = (status: number, body: string): WireResponse => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body });
  if (method !== 'GET' && method !== 'HEAD') return { ...text(405, `the dashboard is static: ${method} is not allowed`), headers: { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' } };
  if (pathname === '/dashboard') return { status: 301, headers: { Location: DASHBOARD_PATH }, body: '' };
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(DASHBOARD_PATH.length));
  } catch {
    return text(400, 'the path is not valid percent-encoding');
  }
  if (relative === 'config.json') return { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': DASHBOARD_CACHE_CONTROL.config }, body: `${JSON.stringify(config(), null, 2)}\n` };
  const dir = path.join(rootDir, 'dist', 'web');
  if (!existsSync(path.join(dir, 'index.html'))) return text(404, 'the dashboard is not built: run `npm run build:web` (it writes dist/web/), then reload');
  const file = path.resolve(dir, relative === '' ? 'index.html' : relative);
  if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) return text(404, `no file ${relative} in the dashboard`);
  const ext = path.extname(file);
  // Hashed assets never change under their name; index.html names the current ones and is always revalidated.
  const cache = /\/assets\//.test(file.slice(dir.length).replace(/\\/g, '/')) ? DASHBOARD_CACHE_CONTROL.assets : DASHBOARD_CACHE_CONTROL.page;
  return { status: 200, headers: { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': cache }, body: method === 'HEAD' ? '' : readFileSync(file) };
}
