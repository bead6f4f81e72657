// The `search` check: the search page in Chromium, served at / and under /postmortems/, and
// opened from disk (file://), where it must say plainly that search does not work there.
import { Check } from './report.mjs';

// What the shipped site's search must find (issue 24): query → operators that must be among
// the results.
export const QUERIES = [
  ['ポリシー制御', ['楽天株式会社']],
  ['設定', ['株式会社朝日ネット', '株式会社ジュピターテレコム']],
  ['DHCP', ['株式会社キャッチネットワーク']],
];

const SEARCH = 'search/index.html';

/** Waits for the search page to settle and returns what it shows. */
async function results(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById('search-status');
    const box = document.getElementById('search');
    return s && box && s.textContent.trim() !== '' && s.textContent !== box.dataset.loading;
  }, null, { timeout: 15_000 });
  return page.evaluate(() => ({
    status: document.getElementById('search-status').textContent,
    statusLinks: [...document.querySelectorAll('#search-status a')].map((a) => a.href),
    items: [...document.querySelectorAll('#search-results li')].map((li) => ({
      title: li.querySelector('h2 a')?.textContent ?? '',
      href: li.querySelector('h2 a')?.href ?? '',
      meta: [...li.querySelectorAll('dd')].map((dd) => dd.textContent),
      scripts: li.querySelectorAll('script, [onerror], [onload]').length,
    })),
  }));
}

const operatorsOf = (items) => items.map((i) => i.meta[0] ?? '');

/**
 * Runs the queries on each served variant and the file:// message on the file variant.
 * `variants` are browser.mjs's (root, sub, file); `b` is launchBrowser()'s.
 */
export async function checkSearch(b, variants) {
  const c = new Check('search');
  let runs = 0;
  for (const v of [variants.root, variants.sub]) {
    const ctx = await b.context();
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      for (const [q, want] of QUERIES) {
        runs++;
        const url = `${v.pageUrl(SEARCH)}?q=${encodeURIComponent(q)}`;
        await page.goto(url);
        const r = await results(page);
        const ops = operatorsOf(r.items).join('、');
        for (const w of want) {
          if (!r.items.some((i) => i.meta[0]?.includes(w))) c.fail(`${v.name}: ${url}: ${w} not among the results (${r.items.length}: ${ops}); status "${r.status}"`);
        }
        if (!/件見つかりました|found/.test(r.status)) c.fail(`${v.name}: ${url}: the result count is not announced: "${r.status}"`);
        for (const i of r.items) {
          if (i.scripts) c.fail(`${v.name}: ${url}: a result holds script`);
          // Every result leads to a page of the site.
          const res = await ctx.request.get(i.href);
          if (res.status() !== 200) c.fail(`${v.name}: ${url}: result ${i.title} → ${i.href}: ${res.status()}`);
        }
        if (q === '設定') {
          // A filter by cause narrows the results and is written into the URL.
          const before = r.items.length;
          const cause = r.items.find((i) => i.meta[0]?.includes('朝日ネット'))?.meta[3];
          if (!cause) { c.fail(`${v.name}: no primary cause shown for 朝日ネット`); continue; }
          const option = await page.evaluate((label) => [...document.querySelectorAll('#search-cause option')].find((o) => o.value === label)?.value ?? null, cause);
          if (option === null) { c.fail(`${v.name}: no cause filter option ${cause}`); continue; }
          await page.selectOption('#search-cause', option);
          await page.waitForFunction((n) => document.querySelectorAll('#search-results li').length !== n, before, { timeout: 15_000 }).catch(() => {});
          const narrowed = await results(page);
          if (!(narrowed.items.length < before && narrowed.items.length > 0)) c.fail(`${v.name}: the cause filter ${cause} did not narrow 設定's ${before} results (now ${narrowed.items.length})`);
          if (narrowed.items.some((i) => !i.meta[0])) c.fail(`${v.name}: a filtered result has no operator`);
          const params = new URL(page.url()).searchParams;
          if (params.get('cause') !== cause || params.get('q') !== '設定') c.fail(`${v.name}: the filter is not in the URL: ${page.url()}`);
          // The URL alone gives the same results (links can be shared).
          await page.goto(page.url());
          const again = await results(page);
          if (again.items.length !== narrowed.items.length) c.fail(`${v.name}: ${page.url()} opened again shows ${again.items.length} results, not ${narrowed.items.length}`);
        }
      }
      // The header box of another page: a GET form that lands on the search page.
      runs++;
      await page.goto(v.pageUrl('incidents/2017-07-03-jcom/index.html'));
      await page.fill('#site-search-q', 'DHCP');
      await Promise.all([page.waitForNavigation(), page.press('#site-search-q', 'Enter')]);
      const viaBox = await results(page);
      if (!viaBox.items.some((i) => i.meta[0]?.includes('キャッチネットワーク'))) c.fail(`${v.name}: the header box's DHCP did not find キャッチネットワーク (${page.url()})`);
      if (errors.length) c.fail(`${v.name}: script errors: ${errors.join('; ')}`);
    } catch (e) {
      c.fail(`${v.name}: ${e.message.split('\n')[0]}`);
    } finally {
      await ctx.close();
    }
  }
  // file://: the browser refuses to fetch the index; the page says so and links to the list.
  {
    runs++;
    const v = variants.file;
    const ctx = await b.context();
    const page = await ctx.newPage();
    try {
      await page.goto(`${v.pageUrl(SEARCH)}?q=${encodeURIComponent('設定')}`);
      const r = await results(page);
      if (!r.status.includes('file://')) c.fail(`${v.name}: the search page does not say that search does not work from file://: "${r.status}"`);
      if (!r.statusLinks.some((h) => h.endsWith('/incidents/index.html'))) c.fail(`${v.name}: the file:// message links to no incident list: ${r.statusLinks.join(', ')}`);
      if (r.items.length) c.fail(`${v.name}: results shown from file://`);
    } catch (e) {
      c.fail(`${v.name}: ${e.message.split('\n')[0]}`);
    } finally {
      await ctx.close();
    }
  }
  c.summary = `${runs} searches (${QUERIES.map((q) => q[0]).join(', ')}, a cause filter, the header box) served at / and /postmortems/, and the file:// message`;
  return c;
}
