// `gen serve` in a real browser: open pages reload by themselves after an edit (only
// the pages the edit changed), and an error shows as an overlay over the last good page
// until it is fixed.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { Check } from './report.mjs';
import { encodePath, routeOf } from './site.mjs';

const JCOM = 'content/incidents/2017-07-03-jcom.md';

function copySite(repo, to) {
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(repo, 'config.toml'), path.join(to, 'config.toml'));
  fs.cpSync(path.join(repo, 'content'), path.join(to, 'content'), { recursive: true });
}

function startServe(gen, root) {
  const child = spawn(gen, ['serve', '--port', '0', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  const stdout = [];
  const t0 = Date.now();
  child.stderr.on('data', (d) => stderr.push(`[${Date.now() - t0} ms] ${d}`));
  const url = new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      stdout.push(`[${Date.now() - t0} ms] ${line}`);
      const m = line.match(/ at (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`gen serve exited with ${code}: ${stderr.join('')}`)));
    setTimeout(() => reject(new Error('gen serve printed no address in 60 s')), 60_000).unref();
  });
  return { child, url, stderr, stdout, t0 };
}

/** Waits until page `p` shows `text` (10 s at most). */
const waitText = (p, text) => p.waitForFunction((t) => document.body.innerText.includes(t), text, { timeout: 10_000 });

/** Saves a file the way editors do: a temporary file renamed over it. */
function save(file, text) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Runs `body` against `gen serve` on a copy of the site in `root`, with a fresh browser
 * context; an exception fails `c`; the server and the context are always closed.
 */
async function withServe(c, b, gen, repo, root, body) {
  copySite(repo, root);
  const file = path.join(root, JCOM);
  const original = fs.readFileSync(file, 'utf8');
  const server = startServe(gen, root);
  const ctx = await b.context();
  try {
    await body({ url: await server.url, server, ctx, file, original });
  } catch (e) {
    c.fail(String(e.stack || e));
  } finally {
    await ctx.close().catch(() => {});
    server.child.kill();
  }
  return c;
}

export async function checkLiveReload(b, gen, repo, tmp) {
  const c = new Check('serve live reload');
  return withServe(c, b, gen, repo, path.join(tmp, 'live'), async ({ url, server, ctx, file, original }) => {
    const open = async (rel) => {
      const p = await ctx.newPage();
      await p.goto(url + encodePath(rel), { waitUntil: 'load' });
      // Survives until the page reloads.
      await p.evaluate(() => { window.__qaMark = 1; });
      // Let the event stream connect before the first edit.
      await p.waitForTimeout(300);
      return p;
    };
    const marked = (p) => p.evaluate(() => window.__qaMark === 1);
    const remark = (p) => p.evaluate(() => { window.__qaMark = 1; });
    const incident = await open(routeOf('incident', '2017-07-03-jcom'));
    const list = await open(routeOf('incidents-index'));
    const causes = await open(routeOf('causes-index'));

    // 1. A body edit reloads the incident's page and leaves the lists alone.
    const marker = 'QA live reload marker';
    const t0 = Date.now();
    save(file, original + `\n${marker}\n`);
    try {
      await waitText(incident, marker);
      c.note(`body edit: the open page showed the new text ${Date.now() - t0} ms after the save`);
      if (await marked(incident)) c.fail('the incident page changed without reloading');
    } catch {
      c.fail('the open incident page never showed a body edit');
    }
    await list.waitForTimeout(1000);
    if (!(await marked(list))) c.fail('the incidents list reloaded after a body edit that did not change it');
    if (!(await marked(causes))) c.fail('the causes page reloaded after a body edit that did not change it');

    // 2. A figure edit reloads the page and the list that shows the figure.
    await remark(incident);
    save(file, original.replace('affected_users = 52792', 'affected_users = 61234'));
    for (const [name, p] of [['incident page', incident], ['incidents list', list]]) {
      try {
        await waitText(p, '61,234');
      } catch {
        c.fail(`the open ${name} never showed the new user count 61,234`);
      }
    }

    // 3. An error: overlay over the last good page, on every open page.
    save(file, original.replace('title = "', 'title = ["'));
    for (const [name, p] of [['incident page', incident], ['causes page', causes]]) {
      try {
        await p.waitForSelector('#gen-error-overlay', { state: 'visible', timeout: 10_000 });
        const text = await p.locator('#gen-error-overlay').innerText();
        if (!text.includes(`${JCOM}:2:9: this array is never closed`)) c.fail(`the overlay on the ${name} lacks the error's place and message: ${text.slice(0, 200)}`);
      } catch {
        c.fail(`no error overlay on the open ${name}`);
      }
    }
    if (!(await incident.evaluate(() => document.body.innerText.includes('61,234')))) c.fail('the last good page is not under the overlay');

    // 4. The fix removes it.
    const fixAt = Date.now();
    save(file, original);
    for (const [name, p] of [['incident page', incident], ['causes page', causes]]) {
      try {
        await p.waitForSelector('#gen-error-overlay', { state: 'detached', timeout: 10_000 });
      } catch {
        c.fail(`the overlay stayed on the ${name} after the fix (saved at ${fixAt - server.t0} ms; gen serve printed: ${server.stdout.join(' | ')} / ${server.stderr.join(' | ').replace(/\s+/g, ' ').slice(0, 400)})`);
      }
    }
    try {
      await waitText(incident, '52,792');
    } catch {
      c.fail('the fixed page did not come back with its figure 52,792');
    }
    c.summary = c.ok
      ? 'pages reload after the edits that change them (only those), an error overlays every open page and the fix removes it'
      : 'live reload or the error overlay misbehaved';
  });
}

/**
 * Ten pages of `gen serve` open in one browser at once: all of them load (a stream per
 * page would take the browser's six HTTP/1.1 connections to the address and leave the
 * seventh waiting), and an edit reaches a page that does not hold the stream, also after
 * the page that held it is closed.
 */
export async function checkManyPages(b, gen, repo, tmp) {
  const c = new Check('serve many pages');
  const OPEN = 10;
  return withServe(c, b, gen, repo, path.join(tmp, 'many'), async ({ url, server, ctx, file, original }) => {
    const others = ['home', 'incidents-index', 'causes-index', 'years-index', 'operators-index', 'meetings-index', 'countermeasures-index', 'tags-index', 'search']
      .map((k) => routeOf(k)).filter(Boolean);
    // The edited incident's page is opened last, so that another page holds the stream.
    const rels = [...others.slice(0, OPEN - 1), routeOf('incident', '2017-07-03-jcom')];
    const pages = [];
    let loaded = 0;
    for (const rel of rels) {
      const p = await ctx.newPage();
      try {
        await p.goto(url + encodePath(rel), { waitUntil: 'load', timeout: 10_000 });
        loaded++;
      } catch {
        c.fail(`page ${pages.length + 1} of ${rels.length} (${rel}) did not load in 10 s`);
      }
      pages.push(p);
    }
    const incident = pages[pages.length - 1];
    await incident.waitForTimeout(500);
    const edit = async (marker, what) => {
      save(file, original + `\n${marker}\n`);
      try {
        await waitText(incident, marker);
      } catch {
        c.fail(`the incident page never showed a body edit ${what}`);
      }
    };
    await edit('QA many pages marker one', `with ${rels.length} pages open`);
    // The first page opened took the stream; closing it hands the stream to another.
    await pages[0].close();
    await incident.waitForTimeout(500);
    await edit('QA many pages marker two', 'after the page holding the stream was closed');
    c.summary = c.ok
      ? `${loaded} pages open at once all loaded; a body edit reached the incident page, also after the page holding the stream closed`
      : 'pages of gen serve did not load or did not reload';
  });
}
