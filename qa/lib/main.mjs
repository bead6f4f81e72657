// qa/run: the quality gate over the built shipped site. See docs/quality.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { genBuild, htmlFiles, internalFixture, pageType, PRINT_TYPES, NAMED_TYPES, EXTRA_TYPES, representativePages } from './site.mjs';
import { checkLinks } from './links.mjs';
import { serve } from './server.mjs';
import { runVnu } from './vnu.mjs';
import { launchBrowser, fileVariant, servedVariant, crawl, verifyCrawlLinks, checkAxe, checkKeyboard, checkPhone, checkWraps, checkNoJs, screenshots } from './browser.mjs';
import { Check, printDetails, printSummary, plural } from './report.mjs';
import * as C from './checks.mjs';
import { selfTest } from './selftest.mjs';
import { checkLiveReload, checkManyPages } from './live.mjs';
import { checkSearch } from './search.mjs';

const QA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(QA, '..');
export const SUB_BASE = 'https://example.org/postmortems/';
export const PHONE = 375;
export const WRAP_WIDTHS = [375, 1280];
export const WEIGHT_LIMIT = 60_000; // bytes: "under 60 KB uncompressed"

function usage() {
  return `usage: qa/run [--self-test] [--only search|live] [--screenshots DIR] [--keep]
  (no option)      check the shipped site (three builds) and write screenshots
  --self-test      plant faults in a small site and prove each check fails on them
  --only search    only the search check (three builds, a minute less than the gate)
  --only live      only the gen serve checks (live reload, many pages; QA_REPEAT=N runs them N times)
  --screenshots D  screenshot folder (default qa/screenshots-out/, or $QA_SCREENSHOTS)
  --keep           keep the temporary builds (their folder is printed)
environment: GEN (the gen binary, default target/release/gen), QA_CHROMIUM (default /usr/bin/chromium)`;
}

/** Top-level settings of config.toml that the checks need (a line-based read is enough). */
export function readConfig(root) {
  const text = fs.readFileSync(path.join(root, 'config.toml'), 'utf8');
  const top = text.split(/^\s*\[/m)[0];
  const get = (k) => top.match(new RegExp(`^\\s*${k}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
  return { baseUrl: get('base_url') ?? '/', language: get('language') ?? 'ja' };
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const step = (msg) => console.log(`[${elapsed()}] ${msg}`);

async function main(argv) {
  const opts = { selfTest: false, only: null, keep: false, shots: process.env.QA_SCREENSHOTS || path.join(QA, 'screenshots-out') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--self-test') opts.selfTest = true;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--only' && ['search', 'live'].includes(argv[i + 1])) opts.only = argv[++i];
    else if (a === '--screenshots') opts.shots = path.resolve(argv[++i] ?? '');
    else if (a === '-h' || a === '--help') { console.log(usage()); return 0; }
    else { console.error(`qa/run: unknown argument ${a}\n${usage()}`); return 2; }
  }
  const gen = process.env.GEN || path.join(REPO, 'target', 'release', 'gen');
  if (!fs.existsSync(gen)) { console.error(`qa/run: no gen binary at ${gen} (cargo build --release)`); return 2; }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qa-run-'));
  try {
    if (opts.selfTest) return await selfTest({ gen, repo: REPO, tmp, step });
    if (opts.only === 'search') return await searchOnly({ gen, tmp });
    if (opts.only === 'live') return await liveOnly({ gen, tmp });
    return await gate({ gen, tmp, shots: opts.shots });
  } finally {
    if (opts.keep) console.log(`temporary builds kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function gate({ gen, tmp, shots }) {
  const cfg = readConfig(REPO);
  const dirs = { root: path.join(tmp, 'root'), sub: path.join(tmp, 'sub'), file: path.join(tmp, 'file') };
  step(genBuild(gen, REPO, dirs.root) + '   (served at /)');
  step(genBuild(gen, REPO, dirs.sub, ['--base-url', SUB_BASE]) + '   (served at /postmortems/)');
  step(genBuild(gen, REPO, dirs.file) + '   (opened from disk)');
  const bases = { root: cfg.baseUrl, sub: SUB_BASE, file: cfg.baseUrl };

  const pages = htmlFiles(dirs.root);
  const webPages = pages.filter((p) => !PRINT_TYPES.has(pageType(p)));
  const reps = representativePages(dirs.root, NAMED_TYPES);
  const extras = representativePages(dirs.root, EXTRA_TYPES.map((t) => [t, null]));
  const missing = NAMED_TYPES.filter(([t]) => !reps.some((r) => r.type === t)).map(([t]) => t);
  step(`${plural(pages.length, 'page')} (${webPages.length} web, ${pages.length - webPages.length} print documents); one-per-type pages: ${[...reps, ...extras].map((r) => r.rel).join(', ')}`);

  // 1. The Nu checker runs in the background while the browser works.
  const allHtml = Object.values(dirs).flatMap((d) => htmlFiles(d).map((f) => path.join(d, f)));
  const vnuPromise = runVnu([...allHtml, path.join(dirs.root, 'style.css')], { alsoCheckCss: true });

  // 3. Links on the file system, in each build.
  const fsResults = Object.entries(dirs).map(([name, d]) => ({ name, res: checkLinks(d, bases[name]) }));
  step('file-system link check done');

  const servers = { root: await serve(dirs.root, '/'), sub: await serve(dirs.sub, '/postmortems/'), };
  const b = await launchBrowser();
  const checks = [];
  try {
    const variants = {
      root: servedVariant('served /', dirs.root, bases.root, servers.root),
      sub: servedVariant('served /postmortems/', dirs.sub, bases.sub, servers.sub),
      file: fileVariant('file://', dirs.file, bases.file),
    };
    step(`serving ${servers.root.url} and ${servers.sub.url}; Chromium ${b.browser.version()}`);
    const crawls = [];
    for (const v of Object.values(variants)) {
      const cr = await crawl(b, v, pages);
      const verify = await verifyCrawlLinks(v, cr);
      crawls.push({ name: v.name, crawl: cr, verify });
      step(`${v.name}: opened ${cr.pages.size} pages, ${cr.requests} requests, ${verify.uniqueTargets} link targets checked`);
    }
    const oneEach = [...reps, ...extras];
    // axe on every page (the issue asks for one per type; the shipped site showed that a
    // defect can sit on the pages a sample skips).
    const axe = await checkAxe(b, variants.root, pages.map((rel) => ({ rel, type: pageType(rel) })));
    step('axe done');
    const kbd = await checkKeyboard(b, variants.root, oneEach);
    step('keyboard done');
    const phone = await checkPhone(b, variants.root, pages.map((rel) => ({ rel, type: pageType(rel) })), PHONE);
    step('phone done');
    const wraps = await checkWraps(b, variants.root, pages.map((rel) => ({ rel, type: pageType(rel) })), WRAP_WIDTHS);
    step('word wrap done');
    const nojs = await checkNoJs(b, variants.file, pages.map((rel) => ({ rel, type: pageType(rel) })));
    step('no-JavaScript done');
    const shotFiles = await screenshots(b, variants.root, oneEach, shots);
    step(`screenshots done (${shotFiles.length})`);
    const live = await checkLiveReload(b, gen, REPO, tmp);
    step('gen serve live reload done');
    const many = await checkManyPages(b, gen, REPO, tmp);
    step('gen serve with many pages open done');
    const search = await checkSearch(b, variants);
    step('search done');
    // The internal edition of the shipped site plus one incident and meeting with every
    // internal mark: axe (light and dark) on the pages that carry its marks. Last, on its
    // own server: the live-reload check failed when this ran before it (not understood).
    const edsite = path.join(tmp, 'edsite');
    const internalDir = path.join(tmp, 'internal');
    internalFixture(REPO, edsite);
    step(genBuild(gen, edsite, internalDir, ['--edition', 'internal']) + '   (internal edition)');
    const internalServer = await serve(internalDir, '/');
    const internalPages = htmlFiles(internalDir)
      .filter((rel) => fs.readFileSync(path.join(internalDir, rel), 'utf8').includes('badge-internal'))
      .map((rel) => ({ rel, type: pageType(rel) }));
    try {
      const axeInternal = await checkAxe(b, servedVariant('internal edition', internalDir, cfg.baseUrl, internalServer), internalPages);
      axe.push(...axeInternal.map((r) => ({ ...r, rel: `internal edition: ${r.rel}` })));
    } finally {
      await internalServer.close();
    }
    step(`axe done on ${plural(internalPages.length, 'page')} of the internal edition`);
    const vnu = await vnuPromise;
    step('Nu Html Checker done');

    const rootFacts = crawls[0].crawl.pages;
    checks.push(C.htmlCheck(vnu, Object.entries(dirs), allHtml.length));
    const axeC = C.axeCheck(axe);
    if (missing.length) axeC.fail(`no page of type ${missing.join(', ')} in the output`);
    checks.push(axeC);
    checks.push(C.langCheck(rootFacts, cfg.language));
    checks.push(C.headingsCheck(rootFacts));
    checks.push(C.keyboardCheck(kbd));
    checks.push(C.linksCheck(fsResults, crawls));
    checks.push(C.overflowCheck(phone, PHONE));
    checks.push(C.textSizeCheck(phone, PHONE));
    checks.push(C.targetsCheck(phone, PHONE));
    checks.push(C.wrapCheck(wraps, WRAP_WIDTHS));
    checks.push(C.offlineCheck(crawls));
    checks.push(C.weightCheck(dirs.root, WEIGHT_LIMIT));
    checks.push(C.noJsCheck(nojs));
    const sc = new Check('screenshots');
    const wanted = oneEach.length * 2;
    if (shotFiles.length !== wanted || shotFiles.some((f) => !fs.existsSync(f) || fs.statSync(f).size === 0)) sc.fail(`expected ${wanted} non-empty PNGs in ${shots}`);
    sc.summary = `${plural(shotFiles.length, 'PNG')} (${plural(oneEach.length, 'page type')} × 375 and 1280 px) in ${shots}`;
    checks.push(sc);
    checks.push(live);
    checks.push(many);
    checks.push(search);
  } finally {
    await b.close();
    await servers.root.close();
    await servers.sub.close();
  }
  printDetails(checks);
  const { passed, failed } = printSummary(checks, `qa/run: the shipped site (${elapsed()})`);
  console.log(`screenshots: ${shots}`);
  console.log(`qa: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

/** `--only live`: the live-reload check alone, `QA_REPEAT` times (default once). */
async function liveOnly({ gen, tmp }) {
  const runs = Math.max(1, Number(process.env.QA_REPEAT) || 1);
  // A build teaches qa the site's routes (`gen routes`), which the check opens.
  step(genBuild(gen, REPO, path.join(tmp, 'root')));
  const b = await launchBrowser();
  const checks = [];
  try {
    for (let i = 0; i < runs; i++) {
      const run = path.join(tmp, `live-${i}`);
      fs.mkdirSync(run);
      const c = await checkLiveReload(b, gen, REPO, run);
      const m = await checkManyPages(b, gen, REPO, run);
      step(`live reload run ${i + 1}/${runs}: ${c.ok && m.ok ? 'ok' : 'FAILED'}`);
      checks.push(c, m);
    }
  } finally {
    await b.close();
  }
  printDetails(checks);
  const { passed, failed } = printSummary(checks, `qa/run --only live (${elapsed()})`);
  console.log(`qa: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

/** `--only search`: the three builds and the search check alone. */
async function searchOnly({ gen, tmp }) {
  const cfg = readConfig(REPO);
  const dirs = { root: path.join(tmp, 'root'), sub: path.join(tmp, 'sub'), file: path.join(tmp, 'file') };
  step(genBuild(gen, REPO, dirs.root));
  step(genBuild(gen, REPO, dirs.sub, ['--base-url', SUB_BASE]));
  step(genBuild(gen, REPO, dirs.file));
  const servers = { root: await serve(dirs.root, '/'), sub: await serve(dirs.sub, '/postmortems/'), internal: await serve(dirs.internal, '/') };
  const b = await launchBrowser();
  const checks = [];
  try {
    checks.push(await checkSearch(b, {
      root: servedVariant('served /', dirs.root, cfg.baseUrl, servers.root),
      sub: servedVariant('served /postmortems/', dirs.sub, SUB_BASE, servers.sub),
      file: fileVariant('file://', dirs.file, cfg.baseUrl),
    }));
  } finally {
    await b.close();
    await servers.root.close();
    await servers.sub.close();
    await servers.internal.close();
  }
  printDetails(checks);
  const { passed, failed } = printSummary(checks, `qa/run --only search (${elapsed()})`);
  console.log(`qa: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

// A bound on the whole run: the gate takes about 2 minutes on 2 cores.
setTimeout(() => { console.error('qa/run: still running after 15 minutes: giving up'); process.exit(2); }, 15 * 60_000).unref();

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`qa/run: ${e.stack || e}`);
  process.exitCode = 2;
});
