// The file-system link checker. gen writes relative links that end in index.html, so one
// checker over the output folder verifies the site as served at a root, under a sub-path and
// opened from disk: every relative href/src must name a file in the output (a folder is a
// failure: file:// shows a directory listing or nothing), must not climb out of the output,
// and every #fragment must name an id in its target page.
import fs from 'node:fs';
import path from 'node:path';
import { scanHtml, urlsOfTag, urlsOfCss } from './htmlscan.mjs';
import { listFiles } from './site.mjs';

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch { return null; }
}

/**
 * Checks every link of the output at dir. baseUrl is the build's absolute base_url (or null):
 * links that start with it (canonical URLs, the 404 page, the web links of the print
 * documents) are the site's own address and must name an existing page (there a folder
 * with an index.html is fine: they are http URLs).
 */
export function checkLinks(dir, baseUrl) {
  const files = listFiles(dir);
  const fileSet = new Set(files);
  const idCache = new Map();
  const idsOf = (rel) => {
    if (!idCache.has(rel)) {
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      idCache.set(rel, scanHtml(text).ids);
    }
    return idCache.get(rel);
  };
  const res = { pages: 0, links: 0, fragments: 0, baseUrlLinks: 0, external: new Map(), failures: [], targets: new Set() };
  const fail = (page, line, url, why) => res.failures.push({ page, line, url, why });

  const isDir = (rel) => {
    try { return fs.statSync(path.join(dir, rel)).isDirectory(); } catch { return false; }
  };

  // Resolves `target` (a decoded path relative to the output root) and checks it and its fragment.
  const checkTarget = (page, line, url, targetRel, fragment, allowFolder) => {
    let rel = targetRel;
    if (rel === '' || rel.endsWith('/') || isDir(rel)) {
      if (!allowFolder) return fail(page, line, url, 'links to a folder (breaks when opened from disk: link to …/index.html)');
      rel = (rel === '' || rel.endsWith('/') ? rel : rel + '/') + 'index.html';
    }
    if (!fileSet.has(rel)) return fail(page, line, url, `target does not exist: ${rel}`);
    res.targets.add(rel);
    if (fragment !== null) checkFragment(page, line, url, rel, fragment);
  };
  const checkFragment = (page, line, url, rel, fragment) => {
    res.fragments++;
    if (!rel.endsWith('.html')) return;
    const id = safeDecode(fragment);
    if (id === null) return fail(page, line, url, 'malformed percent-encoding in the fragment');
    if (id === '' || id.toLowerCase() === 'top') return; // the top of the page, per the HTML spec
    const ids = idsOf(rel);
    if (!ids.has(id) && !ids.has(fragment)) fail(page, line, url, `no id="${id}" in ${rel}`);
  };

  const checkUrl = (page, line, raw, fromRel) => {
    const url = raw.trim();
    res.links++;
    const hashAt = url.indexOf('#');
    const fragment = hashAt >= 0 ? url.slice(hashAt + 1) : null;
    const noHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
    const pathPart = noHash.split('?')[0];
    if (url.startsWith('#') || url === '') {
      if (fragment !== null) checkFragment(page, line, url, fromRel, fragment);
      return;
    }
    if (baseUrl && url.startsWith(baseUrl) && !(url.startsWith('//') && !baseUrl.startsWith('//'))) {
      res.baseUrlLinks++;
      const rest = safeDecode(pathPart.slice(baseUrl.length));
      if (rest === null) return fail(page, line, url, 'malformed percent-encoding');
      return checkTarget(page, line, url, rest, fragment, true);
    }
    if (url.startsWith('//') || SCHEME.test(url)) {
      const scheme = url.startsWith('//') ? 'https:' : url.match(SCHEME)[0].toLowerCase();
      if (['mailto:', 'tel:', 'data:', 'javascript:'].includes(scheme)) {
        if (scheme === 'javascript:') fail(page, line, url, 'javascript: URL');
        return;
      }
      let host = url;
      try { host = new URL(url.startsWith('//') ? 'https:' + url : url).host || url; } catch { /* keep */ }
      res.external.set(host, (res.external.get(host) || 0) + 1);
      return;
    }
    if (url.startsWith('/')) {
      return fail(page, line, url, 'root-absolute link (breaks under a sub-path and on disk): links must be relative');
    }
    const decoded = safeDecode(pathPart);
    if (decoded === null) return fail(page, line, url, 'malformed percent-encoding');
    const base = path.posix.dirname(fromRel);
    const joined = path.posix.normalize(path.posix.join(base === '.' ? '' : base, decoded));
    if (joined === '..' || joined.startsWith('../')) return fail(page, line, url, 'climbs out of the output folder');
    const keepSlash = decoded.endsWith('/') && !joined.endsWith('/') ? joined + '/' : joined;
    checkTarget(page, line, url, keepSlash === '.' || keepSlash === './' ? '' : keepSlash, fragment, false);
  };

  for (const rel of files) {
    if (rel.endsWith('.html')) {
      res.pages++;
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      const scan = scanHtml(text);
      idCache.set(rel, scan.ids);
      for (const tag of scan.tags) {
        for (const { value } of urlsOfTag(tag)) checkUrl(rel, tag.line, value, rel);
        if (tag.attrs.style) for (const u of urlsOfCss(tag.attrs.style)) checkUrl(rel, tag.line, u, rel);
      }
      for (const s of scan.styles) for (const u of urlsOfCss(s.css)) checkUrl(rel, s.line, u, rel);
    } else if (rel.endsWith('.css')) {
      const css = fs.readFileSync(path.join(dir, rel), 'utf8');
      for (const u of urlsOfCss(css)) checkUrl(rel, 0, u, rel);
    }
  }
  return res;
}
