// Turning raw results into PASS/FAIL checks with counts and messages.
import fs from 'node:fs';
import path from 'node:path';
import { Check, plural, kb } from './report.mjs';
import { scanHtml } from './htmlscan.mjs';
import { pageType, PRINT_TYPES } from './site.mjs';

const relTo = (roots, file) => {
  for (const [name, dir] of roots) if (file.startsWith(dir + path.sep)) return `${name}:${file.slice(dir.length + 1)}`;
  return file;
};

/** 1. The Nu Html Checker: zero errors over every .html file; warnings printed. */
export function htmlCheck(vnu, roots, htmlCount) {
  const c = new Check('html');
  for (const e of vnu.errors) {
    if (e.file.endsWith('.css')) c.warn(`CSS ${relTo(roots, e.file)}:${e.line}: ${e.message}`);
    else c.fail(`${relTo(roots, e.file)}:${e.line}:${e.col}: ${e.message}  [${e.extract.slice(0, 80)}]`);
  }
  for (const w of vnu.warnings) c.warn(`${relTo(roots, w.file)}:${w.line}:${w.col}: ${w.message}`);
  // Plain info messages, one line per distinct message.
  const infos = new Map();
  for (const i of vnu.infos) {
    const k = i.message;
    if (!infos.has(k)) infos.set(k, { n: 0, first: `${relTo(roots, i.file)}:${i.line}` });
    infos.get(k).n++;
  }
  for (const [msg, { n, first }] of infos) c.note(`info ×${n}: ${msg} (first: ${first})`);
  const htmlErrors = c.failures.length;
  c.summary = `${plural(htmlCount, 'HTML file')} in ${plural(roots.length, 'build')}: ${plural(htmlErrors, 'error')}, ${plural(vnu.warnings.length, 'warning')}, ${plural(vnu.infos.length, 'info message')}`;
  return c;
}

/** 3. Links: the file-system checker over each build, plus what the browser saw in each variant. */
export function linksCheck(fsResults, crawlResults) {
  const c = new Check('links');
  const parts = [];
  const fsLinks = fsResults.reduce((n, r) => n + r.res.links, 0);
  const fsFrags = fsResults.reduce((n, r) => n + r.res.fragments, 0);
  const fsBroken = fsResults.reduce((n, r) => n + r.res.failures.length, 0);
  for (const { name, res } of fsResults) {
    for (const f of res.failures) c.fail(`[disk ${name}] ${f.page}:${f.line}: ${f.url} — ${f.why}`);
    for (const [host, n] of res.external) c.note(`[disk ${name}] external link, not followed (no network): ${host} ×${n}`);
  }
  parts.push(`on disk (${fsResults.map((r) => r.name).join(', ')}): ${fsLinks} links + ${fsFrags} #fragments, ${fsBroken} broken`);
  for (const { name, crawl, verify } of crawlResults) {
    for (const f of verify.failures) c.fail(`[${name}] ${f.page}: ${f.url} — ${f.why}`);
    for (const f of crawl.failed) c.fail(`[${name}] ${f.page}: request ${f.url} — ${f.why}`);
    if (crawl.abortedRechecked) c.note(`[${name}] ${crawl.abortedRechecked} request(s) aborted by the crawl's next navigation, requested again`);
    const bad = verify.failures.length + crawl.failed.length;
    parts.push(`${name}: ${verify.uniqueTargets} URLs ${name.startsWith('file') ? 'are files' : '→ 200'}, ${bad} bad`);
  }
  c.summary = parts.join(' · ');
  return c;
}

/** 2. axe-core: no serious or critical violation; the others are printed. */
export function axeCheck(results) {
  const c = new Check('a11y-axe');
  let serious = 0, other = 0;
  const pages = new Set();
  const minor = new Map(); // rule -> {help, impact, pages: Set}
  for (const r of results) {
    pages.add(r.rel);
    for (const v of r.violations) {
      const where = v.nodes.slice(0, 3).map((n) => n.target).join(', ') + (v.nodes.length > 3 ? `, … (${v.nodes.length})` : '');
      const msg = `${r.rel} @${r.width}px${r.scheme === 'dark' ? ' dark' : ''}: ${v.id} (${v.impact}) ${v.help} — ${where}${v.nodes[0]?.summary ? ' — ' + v.nodes[0].summary : ''}`;
      if (v.impact === 'serious' || v.impact === 'critical') { serious++; c.fail(msg); continue; }
      other++;
      const k = `${v.id} (${v.impact})`;
      if (!minor.has(k)) minor.set(k, { help: v.help, pages: new Map() });
      const m = minor.get(k);
      m.pages.set(r.rel, (m.pages.get(r.rel) || new Set()).add(r.scheme === 'dark' ? `${r.width} dark` : r.width));
    }
  }
  for (const [k, m] of minor) {
    const list = [...m.pages].map(([rel, ws]) => `${rel} @${[...ws].join('/')}`);
    c.warn(`${k} ${m.help} — on ${plural(m.pages.size, 'page')}: ${list.slice(0, 4).join(', ')}${list.length > 4 ? ', …' : ''}`);
  }
  const types = new Set(results.map((r) => r.type)).size;
  c.summary = `${plural(pages.size, 'page')} (${plural(types, 'type')}) at ${[...new Set(results.map((r) => r.width))].join(' and ')} px, ${[...new Set(results.map((r) => r.scheme ?? 'light'))].join(' and ')}: ${serious} serious/critical, ${other} moderate/minor`;
  return c;
}

/** 2. html[lang] is the site's language on every page. */
export function langCheck(facts, expected) {
  const c = new Check('a11y-lang');
  let good = 0;
  for (const [rel, f] of facts) {
    if (f.lang === expected) good++;
    else c.fail(`${rel}: <html lang="${f.lang ?? ''}">, expected "${expected}"`);
  }
  c.summary = `html[lang="${expected}"] on ${good}/${facts.size} pages`;
  return c;
}

/** 2. Headings: the first is an h1 and no level is skipped going down. */
export function headingsCheck(facts) {
  const c = new Check('a11y-headings');
  let total = 0, good = 0;
  for (const [rel, f] of facts) {
    total += f.headings.length;
    const bad = [];
    if (f.headings.length === 0) bad.push('no heading');
    else if (f.headings[0].level !== 1) bad.push(`first heading is h${f.headings[0].level} "${f.headings[0].text}"`);
    for (let i = 1; i < f.headings.length; i++) {
      const a = f.headings[i - 1], b = f.headings[i];
      if (b.level > a.level + 1) bad.push(`h${a.level} "${a.text}" → h${b.level} "${b.text}" skips h${a.level + 1}`);
    }
    const h1s = f.headings.filter((h) => h.level === 1).length;
    if (h1s > 1 && !PRINT_TYPES.has(pageType(rel))) c.warn(`${rel}: ${h1s} h1 elements`);
    if (bad.length) for (const b of bad) c.fail(`${rel}: ${b}`);
    else good++;
  }
  c.summary = `${good}/${facts.size} pages in order (${plural(total, 'heading')}, no skipped level)`;
  return c;
}

/** 2. Keyboard: every link reachable by Tab, a visible focus indicator on each tab stop. */
export function keyboardCheck(results) {
  const c = new Check('a11y-keyboard');
  let links = 0, stops = 0;
  for (const r of results) {
    links += r.links;
    stops += r.tabStops;
    for (const h of r.unfocusable) c.fail(`${r.rel}: link ${h} does not take focus`);
    for (const h of r.unreached) c.fail(`${r.rel}: link ${h} is not reached by Tab`);
    const byWhy = new Map();
    for (const p of r.problems) {
      if (!byWhy.has(p.why)) byWhy.set(p.why, []);
      byWhy.get(p.why).push(p.el);
    }
    for (const [why, els] of byWhy) c.fail(`${r.rel}: ${why} — on ${plural(els.length, 'tab stop')} (${els.slice(0, 3).join(', ')}${els.length > 3 ? ', …' : ''})`);
  }
  c.summary = `${plural(results.length, 'page')}: ${links} links, ${stops} tab stops; ${c.failures.length ? 'problems below' : 'all links reached by Tab, focus indicator visible (≥2px, ≥3:1) on every stop'}`;
  return c;
}

/** 4. Phone: no sideways scrolling at 375 px. */
export function overflowCheck(results, width) {
  const c = new Check('phone-overflow');
  let good = 0, printBad = 0, web = 0;
  for (const r of results) {
    const isPrint = PRINT_TYPES.has(r.type);
    if (!isPrint) web++;
    if (r.scrollWidth <= width) { if (!isPrint) good++; continue; }
    const msg = `${r.rel}: scrollWidth ${r.scrollWidth} > ${width}${r.wide.length ? ' — ' + r.wide.join(', ') : ''}`;
    if (isPrint) { printBad++; c.warn(`print document ${msg}`); } else c.fail(msg);
  }
  c.summary = `${good}/${web} web pages fit ${width} px (scrollWidth ≤ ${width})${printBad ? `; ${printBad} print documents do not (warning)` : ''}`;
  return c;
}

/** 4. Phone: body text at least 16 px. */
export function textSizeCheck(results, width) {
  const c = new Check('phone-text');
  let blocks = 0, min = Infinity;
  for (const r of results.filter((x) => !PRINT_TYPES.has(x.type))) {
    blocks += r.textBlocks;
    if (r.bodyFont < 16) c.fail(`${r.rel}: body font-size ${r.bodyFont}px`);
    min = Math.min(min, r.bodyFont);
    for (const s of r.small) { c.fail(`${r.rel}: ${s.el} "${s.text}" is ${s.size}px`); min = Math.min(min, s.size); }
  }
  const web = results.filter((x) => !PRINT_TYPES.has(x.type)).length;
  c.summary = `${plural(web, 'web page')} at ${width} px: body ≥ 16 px, ${blocks} text blocks checked, smallest ${min}px`;
  return c;
}

/** 4. Phone: links in nav, header and tables at least 24 x 24 CSS px. */
export function targetsCheck(results, width) {
  const c = new Check('phone-targets');
  let count = 0, small = 0;
  for (const r of results.filter((x) => !PRINT_TYPES.has(x.type))) {
    count += r.targetCount;
    for (const t of r.targets) { small++; c.fail(`${r.rel}: ${t.where} link "${t.text}" is ${t.w}×${t.h}px (${t.href})`); }
  }
  c.summary = `${count} links in nav/header/tables at ${width} px: ${small} smaller than 24×24`;
  return c;
}

/** 5. Offline: no request leaves the site in any variant. */
export function offlineCheck(crawls) {
  const c = new Check('offline');
  let requests = 0, pages = 0;
  for (const { name, crawl } of crawls) {
    requests += crawl.requests;
    pages += crawl.pages.size;
    for (const b of crawl.blocked) c.fail(`[${name}] ${b.page}: request to ${b.url}`);
    for (const b of crawl.baseUrlRequests) {
      if (b.page === '404.html') c.note(`[${name}] 404.html: ${b.url} (the site's own base_url; answered from the output)`);
      else c.fail(`[${name}] ${b.page}: request to the absolute base_url ${b.url} (breaks offline and on disk)`);
    }
  }
  c.summary = `${plural(pages, 'page load')} in ${crawls.length} variants (${crawls.map((x) => x.name).join(', ')}): ${requests} requests, ${c.failures.length} leave the site`;
  return c;
}

/** 5. Light: each incident page's HTML + its stylesheets under the limit. */
export function weightCheck(dir, limit) {
  const c = new Check('weight');
  const rows = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  for (const file of walk(dir)) {
    const rel = path.relative(dir, file).split(path.sep).join('/');
    if (pageType(rel) !== 'incident') continue;
    const text = fs.readFileSync(file, 'utf8');
    let css = 0;
    for (const t of scanHtml(text).tags) {
      if (t.name !== 'link' || !/\bstylesheet\b/i.test(t.attrs.rel || '') || !t.attrs.href) continue;
      const target = path.resolve(path.dirname(file), decodeURIComponent(t.attrs.href.split(/[?#]/)[0]));
      if (fs.existsSync(target)) css += fs.statSync(target).size;
    }
    const html = Buffer.byteLength(text);
    rows.push({ rel, html, css, total: html + css });
  }
  rows.sort((a, b) => b.total - a.total);
  for (const r of rows) {
    const msg = `${r.rel}: ${kb(r.total)} (HTML ${kb(r.html)} + CSS ${kb(r.css)})`;
    if (r.total >= limit) c.fail(`${msg} ≥ ${kb(limit)}`); else c.note(msg);
  }
  const top = rows[0];
  c.summary = rows.length
    ? `${plural(rows.length, 'incident page')}, HTML+CSS < ${kb(limit)}: ${rows.filter((r) => r.total < limit).length} pass; largest ${top.rel} ${kb(top.total)} (HTML ${kb(top.html)} + CSS ${kb(top.css)})`
    : 'no incident page';
  if (!rows.length) c.fail('no incident page in the output');
  return c;
}

/** 5. Without JavaScript the main content renders. */
export function noJsCheck(results) {
  const c = new Check('no-js');
  for (const r of results) {
    if (!r.ok) c.fail(`${r.rel}: main content ${r.hasMain ? (r.mainVisible ? 'visible' : 'hidden') : 'missing'}, ${r.text} characters, h1 ${r.h1Visible ? 'visible' : 'not visible'}`);
    if (r.cssRules === 0) c.warn(`${r.rel}: no stylesheet`);
  }
  c.summary = `${results.filter((r) => r.ok).length}/${plural(results.length, 'page')} show their main content (main, or body for print documents) and h1 with JavaScript disabled`;
  return c;
}

/** 4. Short labels (headers, badges, dates, figures) never wrap inside a word, at any width checked. */
export function wrapCheck(results, widths) {
  const c = new Check('word-wrap');
  let labels = 0, words = 0;
  for (const r of results) {
    labels += r.labels;
    words += r.words;
    for (const x of r.breaks) {
      const msg = `${r.rel} at ${r.width} px: ${x.el} "${x.word}" wraps inside a word`;
      // The print documents are A4 layouts: on a phone their reflow is a courtesy (a warning).
      if (PRINT_TYPES.has(r.type) && r.width < 600) c.warn(`print document ${msg}`); else c.fail(msg);
    }
  }
  const pages = new Set(results.map((r) => r.rel)).size;
  c.summary = `${plural(pages, 'page')} at ${widths.join(' and ')} px: ${labels} labels, ${words} words checked, ${plural(c.failures.length, 'word')} broken across lines`;
  return c;
}
