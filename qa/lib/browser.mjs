// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, and the checks that
// need a browser: requests, links as the DOM sees them, axe-core, headings and lang,
// keyboard focus, the phone layout, rendering without JavaScript, screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Starts Chromium with a fresh user-data-dir. (Playwright refuses --user-data-dir in args and
 * takes it as launchPersistentContext's first argument instead; the folder is new and empty.)
 */
export async function launchBrowser() {
  const executablePath = process.env.QA_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qa-chromium-profile-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block', timeout: 60_000,
  });
  const browser = ctx.browser();
  return {
    browser,
    /** A new isolated context; requests are recorded and anything not local is blocked. */
    async context(opts = {}) {
      const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block', ...opts });
      c.setDefaultTimeout(30_000);
      return c;
    },
    async close() {
      await ctx.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs fn(item, index, worker) over items with at most n at once; results in order. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async (_, w) => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i, w);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Like pool, but each worker has its own tab in ctx, reused from item to item: fn(page, item). */
async function eachPage(ctx, items, n, fn, setup = async () => {}) {
  const tabs = [];
  const out = await pool(items, n, async (item, i, w) => {
    if (!tabs[w]) { tabs[w] = await ctx.newPage(); await setup(tabs[w]); }
    return fn(tabs[w], item);
  });
  for (const t of tabs) await t.close().catch(() => {});
  return out;
}

/**
 * A site variant as the browser sees it: the output folder, how a page's URL is made, what
 * counts as local, and the build's base_url (requests to it are answered from the folder and
 * allowed only on 404.html, whose links are absolute by design).
 */
export function fileVariant(name, dir, baseUrl) {
  return { name, dir, baseUrl, pageUrl: (rel) => pathToFileURL(path.join(dir, rel)).href, local: (u) => u.startsWith('file://') };
}
export function servedVariant(name, dir, baseUrl, server) {
  const enc = (rel) => rel.split('/').map(encodeURIComponent).join('/');
  return { name, dir, baseUrl, server, pageUrl: (rel) => server.url + enc(rel), local: (u) => u.startsWith(server.origin + '/') || u === server.origin };
}

const isAbsoluteBase = (b) => !!b && /^https?:\/\//i.test(b);

/** Installs the offline policy on a context: local requests pass, base_url is mapped, the rest is aborted. */
async function installRouting(ctx, variant, log) {
  await ctx.route('**/*', async (route) => {
    const url = route.request().url();
    if (variant.local(url)) return route.continue();
    if (isAbsoluteBase(variant.baseUrl) && url.startsWith(variant.baseUrl)) {
      let rel = decodeURIComponent(url.slice(variant.baseUrl.length).split(/[?#]/)[0]);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = path.join(variant.dir, rel);
      if (fs.existsSync(file) && fs.statSync(file).isFile()) {
        return route.fulfill({ status: 200, body: fs.readFileSync(file), contentType: file.endsWith('.css') ? 'text/css' : file.endsWith('.html') ? 'text/html; charset=utf-8' : undefined });
      }
      return route.fulfill({ status: 404, body: 'not found' });
    }
    log.push(url);
    return route.abort('blockedbyclient');
  });
}

/** What a page's DOM says: links (resolved by the browser), ids, lang, headings. */
function pageFacts() {
  const links = [];
  const add = (el, attr, value) => { if (value) links.push({ tag: el.tagName.toLowerCase(), attr, raw: el.getAttribute(attr), url: value }); };
  for (const el of document.querySelectorAll('a[href], area[href], link[href]')) add(el, 'href', el.href);
  for (const el of document.querySelectorAll('img[src], script[src], iframe[src], source[src], audio[src], video[src], embed[src], input[src], track[src]')) add(el, 'src', el.src);
  for (const el of document.querySelectorAll('video[poster]')) add(el, 'poster', el.poster);
  for (const el of document.querySelectorAll('object[data]')) add(el, 'data', el.data);
  for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
    for (const part of el.getAttribute('srcset').split(',')) {
      const u = part.trim().split(/\s+/)[0];
      if (u) links.push({ tag: el.tagName.toLowerCase(), attr: 'srcset', raw: u, url: new URL(u, document.baseURI).href });
    }
  }
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  for (const a of document.querySelectorAll('a[name]')) ids.push(a.getAttribute('name'));
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => ({ level: +h.tagName[1], text: h.textContent.trim().slice(0, 60) }));
  return { links, ids, lang: document.documentElement.getAttribute('lang'), headings, scripts: document.querySelectorAll('script').length };
}

/**
 * Opens every page of a variant, recording every request. Returns per-page facts and the
 * request log: { pages: Map rel -> facts, requests, blocked: [{page, url}], failed: [{page, url, why}], baseUrlRequests: [{page,url}] }.
 */
export async function crawl(b, variant, pages) {
  const ctx = await b.context();
  await installRouting(ctx, variant, []);
  const res = { pages: new Map(), requests: 0, blocked: [], failed: [], baseUrlRequests: [] };
  // The page a request was made for: the tab may have moved on when it fails or answers.
  const madeFor = new WeakMap();
  const aborted = new Map(); // url -> page
  const setup = async (page) => {
    page.on('request', (req) => {
      res.requests++;
      const url = req.url();
      const rel = page.qaRel;
      madeFor.set(req, rel);
      if (variant.local(url) || url.startsWith('data:') || url === 'about:blank') return;
      if (isAbsoluteBase(variant.baseUrl) && url.startsWith(variant.baseUrl)) res.baseUrlRequests.push({ page: rel, url });
      else res.blocked.push({ page: rel, url });
    });
    page.on('requestfailed', (req) => {
      const url = req.url();
      const why = req.failure()?.errorText || 'failed';
      const rel = madeFor.get(req) ?? page.qaRel;
      if (why.includes('BLOCKED_BY_CLIENT')) return; // counted as blocked above
      // Chromium aborts what a page still fetches after `load` (its icon, a script's
      // fetch of the search index) when the crawl opens the next page in the tab. Such a
      // URL is requested again after the crawl, and only that answer counts.
      if (why === 'net::ERR_ABORTED') { if (!aborted.has(url)) aborted.set(url, rel); return; }
      res.failed.push({ page: rel, url, why });
    });
    page.on('response', (resp) => {
      if (resp.status() >= 400) res.failed.push({ page: madeFor.get(resp.request()) ?? page.qaRel, url: resp.url(), why: `HTTP ${resp.status()}` });
    });
  };
  await eachPage(ctx, pages, 3, async (page, rel) => {
    page.qaRel = rel;
    try {
      const resp = await page.goto(variant.pageUrl(rel), { waitUntil: 'load' });
      if (resp && resp.status() !== 200 && resp.status() < 400) res.failed.push({ page: rel, url: resp.url(), why: `HTTP ${resp.status()}` });
      res.pages.set(rel, await page.evaluate(pageFacts));
    } catch (e) {
      res.failed.push({ page: rel, url: variant.pageUrl(rel), why: e.message.split('\n')[0] });
    }
  }, setup);
  await ctx.close();
  res.abortedRechecked = aborted.size;
  for (const [url, page] of aborted) {
    const why = await recheck(variant, url);
    if (why) res.failed.push({ page, url, why: `aborted when the crawl moved on, and again: ${why}` });
  }
  // The browser fetches a page's icon after `load`, so the fetch can land after the tab
  // has moved on to the next page (seen: 404.html's absolute icon blamed on the page
  // after it). An icon request counts for a page only when its own DOM links that icon.
  res.baseUrlRequests = res.baseUrlRequests.filter(({ page, url }) =>
    !/\/favicon\.svg$/.test(url) || (res.pages.get(page)?.links ?? []).some((l) => l.url === url));
  return res;
}

/** Requests a URL the crawl's navigation aborted once more: null when it answers 200 (served) or is a file (file://, base_url). */
export async function recheck(variant, url) {
  let file = null;
  if (isAbsoluteBase(variant.baseUrl) && url.startsWith(variant.baseUrl)) file = path.join(variant.dir, decodeURIComponent(url.slice(variant.baseUrl.length).split(/[?#]/)[0]));
  else if (!variant.local(url)) return null; // leaves the site: counted as blocked
  else if (variant.server) {
    try {
      const r = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
      await r.arrayBuffer();
      return r.status === 200 ? null : `HTTP ${r.status}`;
    } catch (e) { return e.message; }
  } else file = fileURLToPath(url.split(/[?#]/)[0]);
  try { return fs.statSync(file).isFile() ? null : 'not a file'; } catch { return 'no such file'; }
}

/**
 * Checks the links the DOM of each page holds against the variant: served variants fetch
 * every internal URL (200 expected, no redirect), the file variant requires a file (not a
 * folder) in the output; fragments must name an id of the target page.
 */
export async function verifyCrawlLinks(variant, crawlRes) {
  const failures = [];
  const external = new Map();
  const byUrl = new Map(); // url without hash -> [{page, raw, hash}]
  let count = 0, baseUrlLinks = 0;
  const prefixUrl = variant.server ? variant.server.url : pathToFileURL(variant.dir + path.sep).href;
  for (const [rel, facts] of crawlRes.pages) {
    for (const l of facts.links) {
      count++;
      let url = l.url;
      if (isAbsoluteBase(variant.baseUrl) && url.startsWith(variant.baseUrl)) {
        baseUrlLinks++;
        url = prefixUrl + url.slice(variant.baseUrl.length);
        if (!variant.server) continue; // an http URL of the published site: the fs checker maps it
      }
      if (!variant.local(url)) {
        const scheme = url.split(':')[0];
        const key = /^https?$/.test(scheme) ? new URL(url).host : scheme + ':';
        external.set(key, (external.get(key) || 0) + 1);
        continue;
      }
      const hashAt = url.indexOf('#');
      const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
      const hash = hashAt >= 0 ? url.slice(hashAt + 1) : null;
      if (!base.startsWith(prefixUrl)) { failures.push({ page: rel, url: l.raw, why: `resolves outside ${prefixUrl}: ${base}` }); continue; }
      if (!byUrl.has(base)) byUrl.set(base, []);
      byUrl.get(base).push({ page: rel, raw: l.raw, hash });
    }
  }
  // Ids of the crawled pages, by their URL.
  const idsByUrl = new Map();
  for (const [rel, facts] of crawlRes.pages) idsByUrl.set(variant.pageUrl(rel), new Set(facts.ids));
  const targets = [...byUrl.keys()];
  await pool(targets, 8, async (u) => {
    const refs = byUrl.get(u);
    let ids = idsByUrl.get(u);
    if (variant.server) {
      let status, body = '';
      try {
        const r = await fetch(u, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
        status = r.status;
        body = (r.headers.get('content-type') || '').startsWith('text/html') ? await r.text() : (await r.arrayBuffer(), '');
      } catch (e) { status = e.message; }
      if (status !== 200) {
        for (const ref of refs) failures.push({ page: ref.page, url: ref.raw, why: `GET ${u} → ${status}` });
        return;
      }
      if (!ids && body) ids = new Set([...body.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')));
    } else {
      const file = fileURLToPath(u);
      let st = null;
      try { st = fs.statSync(file); } catch { /* missing */ }
      if (!st || u.endsWith('/') || st.isDirectory()) {
        for (const ref of refs) failures.push({ page: ref.page, url: ref.raw, why: !st ? `no such file: ${file}` : 'links to a folder (file:// shows no page)' });
        return;
      }
    }
    for (const ref of refs) {
      if (ref.hash === null || ref.hash === '' || !ids) continue;
      let id = ref.hash;
      try { id = decodeURIComponent(ref.hash); } catch { /* keep */ }
      if (!ids.has(id) && id.toLowerCase() !== 'top') failures.push({ page: ref.page, url: ref.raw, why: `no id="${id}" in ${u}` });
    }
  });
  return { links: count, uniqueTargets: targets.length, baseUrlLinks, external, failures };
}

/** Injects axe-core and runs it; returns the violations. */
async function runAxe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, tags: v.tags, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim() })) }));
  });
}

/** axe on each page at each width and colour scheme: [{rel, type, width, scheme,
 * violations}]. The light scheme at every width; the dark one (style.css's
 * prefers-color-scheme block) at the first width, where the colours are the same. */
export async function checkAxe(b, variant, pages, widths = [1280, 375], schemes = ['light', 'dark']) {
  // axe is injected as a script; printed documents forbid every script by their
  // Content-Security-Policy, which this one context alone sets aside.
  const ctx = await b.context({ bypassCSP: true });
  await installRouting(ctx, variant, []);
  const jobs = [];
  for (const p of pages) {
    for (const w of widths) jobs.push({ ...p, width: w, scheme: 'light' });
    for (const s of schemes) if (s !== 'light') jobs.push({ ...p, width: widths[0], scheme: s });
  }
  const out = await eachPage(ctx, jobs, 2, async (page, j) => {
    await page.setViewportSize({ width: j.width, height: 900 });
    await page.emulateMedia({ colorScheme: j.scheme });
    await page.goto(variant.pageUrl(j.rel), { waitUntil: 'load' });
    return { ...j, violations: await runAxe(page) };
  });
  await ctx.close();
  return out;
}

/** Relative luminance and contrast (WCAG). */
function contrastFns() {
  return `
    const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
    const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const contrast = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  `;
}

/**
 * Keyboard: every visible link must be reached by Tab, and each element that takes focus from
 * Tab must show a focus indicator (:focus-visible with an outline of 2px or more, or a box
 * shadow, contrasting 3:1 with the background around it) inside the viewport.
 */
export async function checkKeyboard(b, variant, pages) {
  const ctx = await b.context();
  await installRouting(ctx, variant, []);
  const out = await pool(pages, 2, async (p) => {
    const page = await ctx.newPage();
    await page.goto(variant.pageUrl(p.rel), { waitUntil: 'load' });
    const links = await page.evaluate(() => {
      const all = [...document.querySelectorAll('a[href]')];
      all.forEach((a, i) => a.setAttribute('data-qa-link', String(i)));
      const visible = all.filter((a) => a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden');
      return { total: all.length, visible: visible.map((a) => a.getAttribute('data-qa-link')) };
    });
    const reached = new Set();
    const problems = [];
    const seen = [];
    let stops = 0;
    const limit = links.visible.length + 40;
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(`(() => { ${contrastFns()}
        const el = document.activeElement;
        if (!el || el === document.body || el === document.documentElement) return null;
        const cs = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        const outlineW = cs.outlineStyle === 'none' ? 0 : parseFloat(cs.outlineWidth) || 0;
        const oc = parse(cs.outlineColor);
        const bg = bgOf(el.parentElement || el);
        return {
          key: el.getAttribute('data-qa-link') !== null ? 'a' + el.getAttribute('data-qa-link') : (el.dataset.qaFocus ??= 'f' + (window.__qaFocus = (window.__qaFocus || 0) + 1)),
          link: el.getAttribute('data-qa-link'),
          href: el.getAttribute('href'), tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim().slice(0, 40),
          focusVisible: el.matches(':focus-visible'), outlineW, outlineStyle: cs.outlineStyle, outlineColor: cs.outlineColor,
          outlineContrast: oc && oc.a > 0 ? contrast(oc, bg) : 0, boxShadow: cs.boxShadow,
          inViewport: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
        };
      })()`);
      if (!f) { if (stops > 0) break; continue; } // wrapped to the browser chrome: the cycle is done
      if (seen.includes(f.key)) break;
      seen.push(f.key);
      stops++;
      if (f.link !== null) reached.add(f.link);
      const shadow = f.boxShadow && f.boxShadow !== 'none';
      const why = [];
      if (!f.focusVisible) why.push('not :focus-visible after Tab');
      // outline-style auto is the browser's own focus ring (two-tone in Chromium): visible on any background.
      const uaRing = f.outlineStyle === 'auto';
      if (f.outlineW < 2 && !shadow && !uaRing) why.push(`no focus indicator (outline ${f.outlineStyle} ${f.outlineW}px)`);
      else if (!shadow && !uaRing && f.outlineContrast < 3) why.push(`focus outline ${f.outlineColor} contrasts ${f.outlineContrast.toFixed(2)}:1 with its background (WCAG 1.4.11 needs 3:1)`);
      if (!f.inViewport) why.push('focused element is outside the viewport');
      if (why.length) problems.push({ el: f.href ?? `<${f.tag}>`, text: f.text, why: why.join('; ') });
    }
    // Every visible link takes focus when asked. (After the Tab walk: focus() and blur() move
    // the point where sequential focus navigation starts.)
    links.unfocusable = await page.evaluate((ks) => ks.map((k) => document.querySelector(`[data-qa-link="${k}"]`)).filter((a) => { a.focus(); const ok = document.activeElement === a; a.blur(); return !ok; }).map((a) => a.getAttribute('href')), links.visible);
    const unreached = links.visible.filter((k) => !reached.has(k));
    const unreachedHrefs = unreached.length ? await page.evaluate((ks) => ks.map((k) => document.querySelector(`[data-qa-link="${k}"]`).getAttribute('href')), unreached) : [];
    await page.close();
    return { ...p, links: links.visible.length, tabStops: stops, unfocusable: links.unfocusable, unreached: unreachedHrefs, problems };
  });
  await ctx.close();
  return out;
}

/** At 375 px: sideways scrolling, body text size, tap targets of links in nav, header and tables. */
export async function checkPhone(b, variant, pages, width = 375) {
  const ctx = await b.context({ viewport: { width, height: 812 }, isMobile: false });
  await installRouting(ctx, variant, []);
  const out = await eachPage(ctx, pages, 3, async (page, p) => {
    await page.goto(variant.pageUrl(p.rel), { waitUntil: 'load' });
    const r = await page.evaluate((vw) => {
      const doc = document.documentElement;
      const scrollWidth = doc.scrollWidth;
      const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.classList.length ? '.' + [...el.classList].join('.') : '');
      // What sticks out (for the report): the outermost elements past the right edge that are
      // not inside a horizontally scrolling box.
      const wide = [];
      if (scrollWidth > vw) {
        for (const el of document.body.querySelectorAll('*')) {
          const rect = el.getBoundingClientRect();
          if (rect.right <= vw + 0.5) continue;
          let clipped = false;
          for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const ox = getComputedStyle(a).overflowX;
            if (ox !== 'visible') { clipped = true; break; }
          }
          if (clipped) continue;
          if (el.parentElement && el.parentElement.getBoundingClientRect().right > vw + 0.5 && el.parentElement !== document.body) continue;
          wide.push(`${describe(el)} (right edge ${Math.round(rect.right)}px)`);
          if (wide.length >= 3) break;
        }
      }
      // Body text: paragraphs and list items of the main content, each at its own computed size.
      // Not body text: table cells (tables are checked for targets), navigation (a block whose
      // words are all links, e.g. breadcrumbs), footnotes and small print.
      const bodyFont = parseFloat(getComputedStyle(document.body).fontSize);
      const small = [];
      let textBlocks = 0;
      const main = document.querySelector('main') || document.body;
      for (const el of main.querySelectorAll('p, li, dd, blockquote')) {
        if (!visible(el) || el.closest('table, nav, figure, footer, aside, small, .footnote-definition, .footnotes')) continue;
        const clone = el.cloneNode(true);
        for (const a of clone.querySelectorAll('a')) a.remove();
        if (!/[\p{L}\p{N}]/u.test(clone.textContent)) continue; // links only: navigation
        textBlocks++;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < 16) small.push({ el: describe(el), size, text: el.textContent.trim().slice(0, 40) });
      }
      // Tap targets: links in nav, header and tables, at least 24 x 24 unless inline in a
      // sentence (an inline link with 10 or more letters of inline non-link text around it).
      const targets = [];
      let targetCount = 0;
      for (const a of document.querySelectorAll('nav a[href], header a[href], table a[href]')) {
        if (!visible(a)) continue;
        targetCount++;
        const rects = [...a.getClientRects()];
        const ok = rects.some((q) => q.width >= 24 - 0.01 && q.height >= 24 - 0.01);
        if (ok) continue;
        let inSentence = false;
        if (getComputedStyle(a).display === 'inline') {
          let block = a.parentElement;
          while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
          let text = '';
          const walk = (n) => {
            for (const c of n.childNodes) {
              if (c.nodeType === 3) text += c.textContent;
              else if (c.nodeType === 1 && c.tagName !== 'A' && getComputedStyle(c).display === 'inline') walk(c);
            }
          };
          if (block) walk(block);
          inSentence = (text.match(/[\p{L}\p{N}]/gu) || []).length >= 10;
        }
        if (inSentence) continue;
        const big = rects.reduce((m, q) => (q.width * q.height > m.width * m.height ? q : m), { width: 0, height: 0 });
        targets.push({ href: a.getAttribute('href'), text: a.textContent.trim().slice(0, 30), w: +big.width.toFixed(1), h: +big.height.toFixed(1), where: a.closest('nav') ? 'nav' : a.closest('header') ? 'header' : 'table' });
      }
      return { scrollWidth, wide, bodyFont, small, textBlocks, targets, targetCount };
    }, width);
    return { ...p, ...r };
  });
  await ctx.close();
  return out;
}

/** Without JavaScript: main and its h1 render visibly, with text. */
export async function checkNoJs(b, variant, pages) {
  const ctx = await b.context({ javaScriptEnabled: false });
  await installRouting(ctx, variant, []);
  const out = await eachPage(ctx, pages, 3, async (page, p) => {
    await page.goto(variant.pageUrl(p.rel), { waitUntil: 'load' });
    // The main landmark; the print documents have none, so there the body.
    const main = (await page.locator('main').count()) > 0 ? page.locator('main').first() : page.locator('body');
    const h1 = page.locator('h1').first();
    const hasMain = (await main.count()) > 0;
    const mainVisible = hasMain && (await main.isVisible());
    const box = hasMain ? await main.boundingBox() : null;
    const text = hasMain ? (await main.innerText()).trim().length : 0;
    const h1Visible = (await h1.count()) > 0 && (await h1.isVisible());
    const cssApplied = await page.evaluate(() => document.styleSheets.length);
    const hidden = hasMain ? await main.evaluate((m) => { const cs = getComputedStyle(m); return cs.opacity === '0' || cs.visibility !== 'visible'; }) : true;
    const ok = hasMain && mainVisible && !hidden && box && box.height > 0 && text >= 20 && h1Visible;
    return { ...p, ok, hasMain, mainVisible, text, h1Visible, cssRules: cssApplied };
  });
  await ctx.close();
  return out;
}

/** Full-page screenshots of each page at each width into dir. */
export async function screenshots(b, variant, pages, dir, widths = [375, 1280]) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.png')) fs.rmSync(path.join(dir, f));
  const ctx = await b.context();
  await installRouting(ctx, variant, []);
  const jobs = [];
  for (const p of pages) for (const w of widths) jobs.push({ ...p, width: w, file: path.join(dir, `${p.type}-${w}.png`) });
  // One at a time: two full-page captures at once in headless Chromium can come out tiled.
  await pool(jobs, 1, async (j) => {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: j.width, height: j.width < 600 ? 812 : 900 });
    await page.goto(variant.pageUrl(j.rel), { waitUntil: 'load' });
    await page.screenshot({ path: j.file, fullPage: true, animations: 'disabled' });
    await page.close();
  });
  await ctx.close();
  return jobs.map((j) => j.file);
}

/**
 * Short labels (table headers, badges, dates, figures, statuses, roles, flags …) that wrap
 * inside a word: the CSS selector of the labels checked, and the longest run of characters
 * without a space that counts as one word (a longer run is prose, and prose may wrap).
 */
export const LABEL_SELECTOR = 'thead th, th[scope="col"], table.summary th, .badge, .date, time, .num, .status, .role, .flag, .scope, .elapsed, .channel, .kind, .tag, .cause, .bar-label, .bar-count, .figures dt, .figures dd, .figure-note, .doc-links a';
export const MAX_WORD = 16;

/**
 * At each width, every label of LABEL_SELECTOR on each page: each word (a run of up to
 * MAX_WORD characters between spaces) must sit on one line. Lines are read per character
 * with Range.getClientRects (a character below the previous one's middle starts a new
 * line). A break before an opening or after a closing bracket, or after the dash of a range,
 * is between words (影響利用者数|（合計）, 16:55–|19:16). Labels that are not rendered, or clipped to a 1 px box (visually
 * hidden), are skipped; so are SVG text (the charts lay out their own labels) and the tables
 * of Markdown bodies (the author's, not the theme's).
 */
export async function checkWraps(b, variant, pages, widths = [375, 1280]) {
  const ctx = await b.context();
  await installRouting(ctx, variant, []);
  const jobs = [];
  for (const p of pages) for (const w of widths) jobs.push({ ...p, width: w });
  const out = await eachPage(ctx, jobs, 2, async (page, j) => {
    await page.setViewportSize({ width: j.width, height: 900 });
    await page.goto(variant.pageUrl(j.rel), { waitUntil: 'load' });
    const r = await page.evaluate(([sel, maxWord]) => {
      const describe = (el) => el.tagName.toLowerCase() + (el.classList.length ? '.' + [...el.classList].join('.') : '');
      const hidden = (el) => {
        for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
          const q = a.getBoundingClientRect();
          if (getComputedStyle(a).overflow !== 'visible' && (q.width <= 2 || q.height <= 2)) return true;
        }
        return el.getClientRects().length === 0;
      };
      // A closing bracket, or the dash of a range (16:55–19:16), ends a word.
      const OPEN = /[（(「『【［\[]/u, CLOSE = /[）)」』】］\]–〜~]/u;
      const seen = new Set();
      const breaks = [];
      let labels = 0, words = 0;
      const range = document.createRange();
      const box = (node, i, n) => {
        range.setStart(node, i);
        range.setEnd(node, i + n);
        return [...range.getClientRects()].find((q) => q.width > 0 || q.height > 0);
      };
      for (const el of document.querySelectorAll(sel)) {
        if (el.closest('svg, .prose') || hidden(el)) continue;
        labels++;
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (seen.has(node)) continue;
          seen.add(node);
          const text = node.data;
          for (const m of text.matchAll(/\S+/gu)) {
            const chars = [...m[0]];
            if (chars.length < 2 || chars.length > maxWord) continue;
            words++;
            let at = m.index, prev = null, prevCh = '', shown = '', broken = false;
            for (const ch of chars) {
              const q = box(node, at, ch.length);
              if (q && prev && q.top >= prev.top + prev.height / 2) {
                shown += '|';
                if (!OPEN.test(ch) && !CLOSE.test(prevCh)) broken = true;
              }
              shown += ch;
              if (q) prev = q;
              prevCh = ch;
              at += ch.length;
            }
            if (broken) breaks.push({ el: describe(el), owner: describe(node.parentElement), word: shown });
          }
        }
      }
      return { labels, words, breaks };
    }, [LABEL_SELECTOR, MAX_WORD]);
    return { ...j, ...r };
  });
  await ctx.close();
  return out;
}
