// qa/run --self-test: proves each check fails when it should. A small site (`gen init`) is
// built with a theme, themes/qa-fault/, that copies the default theme and overrides
// incident.html; each run plants one fault in that template. The check the fault targets must
// FAIL (a PASS of the self-test), and the clean copy (control) must pass every check, so a
// failure is the fault's doing and not the harness's.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { genBuild, htmlFiles, pageType, representativePages } from './site.mjs';
import { checkLinks } from './links.mjs';
import { serve } from './server.mjs';
import { runVnu } from './vnu.mjs';
import { launchBrowser, fileVariant, servedVariant, crawl, verifyCrawlLinks, checkAxe, checkPhone, checkWraps, recheck } from './browser.mjs';
import { pathToFileURL } from 'node:url';
import { Check, printDetails, printSummary } from './report.mjs';
import * as C from './checks.mjs';
import { checkSearch } from './search.mjs';

const MARK = '</article>';

export const FAULTS = [
  { name: 'control', check: null, what: 'the default theme, copied unchanged', html: '' },
  {
    name: 'invalid-html', check: 'html', what: 'a div inside a p (so a stray </p>) and an unknown element',
    html: '<p class="qa-fault"><div>qa fault: a div inside a p</div></p>\n<qafault>qa fault: an unknown element</qafault>\n',
  },
  {
    name: 'broken-link', check: 'links', what: 'a link to a page that does not exist',
    html: '<p class="qa-fault"><a href="../no-such-incident/index.html">qa fault: a broken link</a></p>\n',
  },
  {
    name: 'unlabeled-control', check: 'a11y-axe', what: 'an <input> without a label',
    html: '<p class="qa-fault"><input type="text" name="qa-fault"></p>\n',
  },
  {
    name: 'dark-contrast', check: 'a11y-axe', what: 'text readable in the light scheme only (dark grey on the dark background)',
    html: '<p class="qa-fault" style="color: light-dark(#1b1f24, #30363d)">qa fault: text readable in the light scheme only</p>\n',
  },
  {
    name: 'overflow-375', check: 'phone-overflow', what: 'a fixed 600px-wide element',
    html: '<div class="qa-fault" style="width: 600px">qa fault: a fixed 600px-wide element</div>\n',
  },
  {
    name: 'label-wrap', check: 'word-wrap', what: 'a badge squeezed to 2em, so 重大な事故 wraps inside the word',
    html: '<p class="qa-fault"><span class="badge" style="display: inline-block; width: 2em; white-space: normal; word-break: normal">重大な事故</span></p>\n',
  },
];

const CHECKS = ['html', 'links', 'a11y-axe', 'phone-overflow', 'word-wrap'];

function makeSite(gen, repo, dir) {
  const r = spawnSync(gen, ['init', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen init ${dir} exited ${r.status}\n${r.stdout}${r.stderr}`);
  const cfg = path.join(dir, 'config.toml');
  fs.writeFileSync(cfg, `theme = "qa-fault"\n${fs.readFileSync(cfg, 'utf8')}`);
  // The whole default theme from the repo (not the copy built into the binary, which may be
  // older than the sources), so the control matches what the gate checks.
  const theme = path.join(dir, 'themes', 'qa-fault');
  fs.cpSync(path.join(repo, 'themes', 'default', 'templates'), path.join(theme, 'templates'), { recursive: true });
  fs.cpSync(path.join(repo, 'themes', 'default', 'static'), path.join(theme, 'static'), { recursive: true });
  return path.join(theme, 'templates', 'incident.html');
}

function readBaseUrl(dir) {
  const top = fs.readFileSync(path.join(dir, 'config.toml'), 'utf8').split(/^\s*\[/m)[0];
  return top.match(/^\s*base_url\s*=\s*"([^"]*)"/m)?.[1] ?? '/';
}

export async function selfTest({ gen, repo, tmp, step }) {
  const site = path.join(tmp, 'site');
  const incidentTemplate = makeSite(gen, repo, site);
  const clean = fs.readFileSync(incidentTemplate, 'utf8');
  if (!clean.includes(MARK)) throw new Error(`incident.html has no ${MARK} to plant faults before`);
  const baseUrl = readBaseUrl(site);
  step(`small site from gen init in ${site}, theme themes/qa-fault/ (a copy of themes/default/)`);

  // Build one output per fault.
  const runs = [];
  for (const f of FAULTS) {
    fs.writeFileSync(incidentTemplate, clean.replace(MARK, f.html + MARK));
    const out = path.join(tmp, `out-${f.name}`);
    genBuild(gen, site, out);
    runs.push({ ...f, out });
  }
  fs.writeFileSync(incidentTemplate, clean);
  step(`built ${runs.length} outputs: ${runs.map((r) => r.name).join(', ')}`);

  // The Nu checker once over all of them, in the background.
  const files = runs.flatMap((r) => htmlFiles(r.out).map((f) => path.join(r.out, f)));
  const vnuAll = runVnu(files);

  const b = await launchBrowser();
  try {
    for (const r of runs) {
      const pages = htmlFiles(r.out);
      const server = await serve(r.out, '/');
      try {
        const served = servedVariant('served /', r.out, baseUrl, server);
        const file = fileVariant('file://', r.out, baseUrl);
        const crawls = [];
        for (const v of [served, file]) {
          const cr = await crawl(b, v, pages);
          crawls.push({ name: v.name, crawl: cr, verify: await verifyCrawlLinks(v, cr) });
        }
        const incident = representativePages(r.out, [['incident', null]]);
        r.incident = incident[0]?.rel;
        if (r.check === null) r.recheck = await recheckProbe(served, file, r.out, r.incident);
        const axe = await checkAxe(b, served, incident);
        const typed = pages.map((rel) => ({ rel, type: pageType(rel) }));
        const phone = await checkPhone(b, served, typed, 375);
        const wraps = await checkWraps(b, served, typed, [375, 1280]);
        r.checks = {
          links: C.linksCheck([{ name: r.name, res: checkLinks(r.out, baseUrl) }], crawls),
          'a11y-axe': C.axeCheck(axe),
          'phone-overflow': C.overflowCheck(phone, 375),
          'word-wrap': C.wrapCheck(wraps, [375, 1280]),
        };
      } finally {
        await server.close();
      }
      step(`${r.name}: browser checks done`);
    }
  } finally {
    await b.close();
  }
  const vnu = await vnuAll;
  step('Nu Html Checker done');
  for (const r of runs) {
    const mine = { ...vnu, errors: vnu.errors.filter((e) => e.file.startsWith(r.out + path.sep)), warnings: vnu.warnings.filter((e) => e.file.startsWith(r.out + path.sep)), infos: vnu.infos.filter((e) => e.file.startsWith(r.out + path.sep)) };
    r.checks.html = C.htmlCheck(mine, [[r.name, r.out]], htmlFiles(r.out).length);
  }

  // Each fault: its check must fail. The control: every check must pass.
  const results = [];
  for (const r of runs) {
    const c = new Check(r.name);
    const states = CHECKS.map((k) => `${k} ${r.checks[k].ok ? 'PASS' : 'FAIL'}`).join(', ');
    if (r.check === null) {
      for (const k of CHECKS) if (!r.checks[k].ok) c.fail(`${k} fails on the clean theme: ${r.checks[k].failures[0]}`);
      c.summary = `clean copy of the default theme: ${states}`;
    } else {
      const target = r.checks[r.check];
      // Caught means: the check fails, and on the page that holds the fault.
      const onPage = target.failures.filter((m) => r.incident && m.includes(r.incident));
      if (target.ok) c.fail(`planted ${r.what}, but ${r.check} still passes: ${target.summary}`);
      else if (onPage.length === 0) c.fail(`${r.check} fails, but not on ${r.incident}: ${target.failures[0]}`);
      for (const m of onPage) c.note(`${r.check}: ${m}`);
      for (const k of CHECKS) if (k !== r.check && !r.checks[k].ok) c.note(`also failed: ${k}: ${r.checks[k].failures[0]}`);
      c.summary = `planted ${r.what} → ${r.check} ${target.ok ? 'PASSED (not caught!)' : `FAILED as it should (${target.failures.length} finding${target.failures.length === 1 ? '' : 's'})`}; all: ${states}`;
      if (!target.ok && onPage.length === 0) c.summary = `planted ${r.what} → ${r.check} failed elsewhere, not on the faulty page`;
    }
    results.push(c);
  }
  const control = runs.find((r) => r.check === null);
  const probe = new Check('aborted-request');
  for (const m of control.recheck) probe.fail(m);
  probe.summary = 'a request the crawl aborts is requested again: a missing file fails (served and file://), an existing one passes';
  results.push(probe);
  results.push(...await searchFault({ gen, repo, tmp, step }));
  printDetails(results);
  const { passed, failed } = printSummary(results, 'qa/run --self-test: each check fails on its planted fault');
  console.log(`self-test: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

/**
 * The crawl requests again what its own navigation aborted (links check): a missing file
 * must fail that second request and a page of the site must pass it, served and from disk.
 * Returns what went wrong.
 */
async function recheckProbe(served, file, out, page) {
  const wrong = [];
  const cases = [
    [served, served.pageUrl(page), true],
    [served, served.pageUrl('qa-no-such-file.json'), false],
    [file, pathToFileURL(path.join(out, page)).href, true],
    [file, pathToFileURL(path.join(out, 'qa-no-such-file.json')).href, false],
  ];
  for (const [v, url, exists] of cases) {
    const why = await recheck(v, url);
    if (exists && why) wrong.push(`[${v.name}] ${url} exists, but the second request says: ${why}`);
    if (!exists && !why) wrong.push(`[${v.name}] ${url} is missing, but the second request passes it`);
  }
  return wrong;
}

/**
 * The `search` check needs the shipped site's incidents (its queries are the issue's), so its
 * fault is planted in a build of the repository: the index's folder removed after the build.
 * The intact build must pass the check, the build without an index must fail it.
 */
async function searchFault({ gen, repo, tmp, step }) {
  const out = [];
  const b = await launchBrowser();
  try {
    for (const [name, broken] of [['search-control', false], ['search-index-missing', true]]) {
      const dirs = { root: path.join(tmp, `${name}-root`), sub: path.join(tmp, `${name}-sub`), file: path.join(tmp, `${name}-file`) };
      genBuild(gen, repo, dirs.root);
      genBuild(gen, repo, dirs.sub, ['--base-url', 'https://example.org/postmortems/']);
      genBuild(gen, repo, dirs.file);
      if (broken) for (const d of Object.values(dirs)) fs.rmSync(path.join(d, 'search', 'data'), { recursive: true, force: true });
      const servers = { root: await serve(dirs.root, '/'), sub: await serve(dirs.sub, '/postmortems/') };
      let check;
      try {
        check = await checkSearch(b, {
          root: servedVariant('served /', dirs.root, '/', servers.root),
          sub: servedVariant('served /postmortems/', dirs.sub, 'https://example.org/postmortems/', servers.sub),
          file: fileVariant('file://', dirs.file, '/'),
        });
      } finally {
        await servers.root.close();
        await servers.sub.close();
      }
      const c = new Check(name);
      if (!broken) {
        if (!check.ok) c.fail(`search fails on the intact shipped site: ${check.failures[0]}`);
        c.summary = `the shipped site with its index: search ${check.ok ? 'PASS' : 'FAIL'}`;
      } else {
        if (check.ok) c.fail('planted a missing search index (search/data/ removed), but search still passes');
        else c.note(`search: ${check.failures[0]}`);
        c.summary = `planted a missing search index → search ${check.ok ? 'PASSED (not caught!)' : `FAILED as it should (${check.failures.length} findings)`}`;
      }
      out.push(c);
      step(`${name}: search check done`);
    }
  } finally {
    await b.close();
  }
  return out;
}
