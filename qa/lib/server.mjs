// A small static server for the checks: loopback only, GET/HEAD only, serves one output
// folder under one path prefix ('/' or '/postmortems/'), answers 404 outside it, and stops
// by itself after a time limit or a request limit, whichever comes first.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.webp': 'image/webp', '.pdf': 'application/pdf', '.txt': 'text/plain; charset=utf-8', '.json': 'application/json',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2',
};

/**
 * Starts a server for `dir` under `prefix`. Resolves to { url, close, stats }, where url is
 * http://127.0.0.1:PORT/prefix/.
 */
export function serve(dir, prefix = '/', { maxSeconds = 900, maxRequests = 20000 } = {}) {
  const root = path.resolve(dir);
  const stats = { requests: 0, byStatus: {} };
  const server = http.createServer((req, res) => {
    stats.requests++;
    const send = (status, body, type = 'text/plain; charset=utf-8', headers = {}) => {
      stats.byStatus[status] = (stats.byStatus[status] || 0) + 1;
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (stats.requests > maxRequests) { send(503, 'request limit reached'); server.close(); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const urlPath = (req.url || '/').split('?')[0].split('#')[0];
    const notFound = () => {
      const page = path.join(root, '404.html');
      if (urlPath.startsWith(prefix) && fs.existsSync(page)) return send(404, fs.readFileSync(page), TYPES['.html']);
      return send(404, 'not found');
    };
    if (!urlPath.startsWith(prefix)) return notFound();
    let rel;
    try { rel = decodeURIComponent(urlPath.slice(prefix.length)); } catch { return send(400, 'bad request'); }
    const file = path.resolve(root, '.' + path.posix.sep + rel);
    if (file !== root && !file.startsWith(root + path.sep)) return send(403, 'forbidden');
    let target = file;
    try {
      if (fs.statSync(target).isDirectory()) {
        // Like a typical static host: a folder URL without its slash redirects, with it serves index.html.
        if (!urlPath.endsWith('/')) return send(301, '', undefined, { location: urlPath + '/' });
        target = path.join(target, 'index.html');
      }
      const body = fs.readFileSync(target);
      return send(200, body, TYPES[path.extname(target).toLowerCase()] || 'application/octet-stream');
    } catch {
      return notFound();
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const timer = setTimeout(() => server.close(), maxSeconds * 1000);
      timer.unref();
      resolve({
        url: `http://127.0.0.1:${port}${prefix}`,
        origin: `http://127.0.0.1:${port}`,
        stats,
        close: () => new Promise((r) => { clearTimeout(timer); server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
