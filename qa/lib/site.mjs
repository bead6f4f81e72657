// Building the site with gen, listing its pages and telling their types apart.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

/** Runs `gen build`, then learns the kind of every page it wrote from `gen routes` (the
 * page registry's listing); throws with gen's output when either fails. */
export function genBuild(gen, root, output, extra = []) {
  const args = ['build', '--root', root, '--output', output, ...extra];
  const r = spawnSync(gen, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`gen ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  }
  // `gen routes` lists the pages of the same build: drafts and edition as asked.
  const same = [];
  if (extra.includes('--drafts')) same.push('--drafts');
  const ed = extra.indexOf('--edition');
  if (ed >= 0) same.push('--edition', extra[ed + 1]);
  learnRoutes(gen, root, same);
  return `gen ${args.join(' ')}`;
}

// Page kinds by output path, from `gen routes`: qa keeps no copy of the URL scheme.
const ROUTES = new Map();
// The kinds of the printed documents (docs/printing.md), as `gen routes` marks them.
export const PRINT_TYPES = new Set();

function learnRoutes(gen, root, extra) {
  const args = ['routes', '--root', root, '--format', 'json', ...extra];
  const r = spawnSync(gen, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`gen ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  }
  for (const { kind, id, path: rel, print } of JSON.parse(r.stdout)) {
    ROUTES.set(rel, { kind, id });
    if (print) PRINT_TYPES.add(kind);
  }
}

/** Every file under dir, as paths relative to it with '/' separators, sorted. */
export function listFiles(dir) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

export const htmlFiles = (dir) => listFiles(dir).filter((f) => f.endsWith('.html'));

/** The shipped site (config.toml and content/) copied to `dir`, plus one incident and one
 * meeting with every kind of internal marking (docs/format.md, "Editions"), so that the
 * internal edition's marks are on real pages: the shipped content has none. */
export function internalFixture(repo, dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(repo, 'config.toml'), path.join(dir, 'config.toml'));
  fs.cpSync(path.join(repo, 'content'), path.join(dir, 'content'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'content/incidents/2023-12-01-internal-review.md'), `+++
title = "社内検証：監視設定の誤りによる検知遅れ"
operators = ["検証用通信株式会社"]
started = 2023-12-01T09:00:00+09:00
resolved = 2023-12-01T10:30:00+09:00
affected_users = 1200
causes = ["human-error"]
status = "final"
visibility = "internal"
meeting = "2023-12-20-internal"
summary = "監視設定の誤りにより、障害の検知が遅れた。"

[internal]
vendor = "ベンダーX"
ticket = "OPS-1234"

[[phases]]
label = "社内の区間"
affected_users = 1200
internal = true

[[countermeasures]]
action = "監視設定のレビューを二人で行う"
status = "done"
completed = 2023-12-15

[[countermeasures]]
action = "ベンダーXの設定を全台点検する"
status = "planned"
internal = true

[[notices]]
at = 2023-12-01T09:30:00+09:00
title = "第1報"
internal = true

[[timeline]]
at = 2023-12-01T09:20:00+09:00
event = "当番が検知"
internal = true
+++

## 障害内容

監視設定の誤りにより、障害の検知が遅れた。

<!-- internal -->
## 社内メモ

作業者は夜間当番の 2 名。チケット OPS-1234 を参照。
<!-- /internal -->

## 総括

設定の変更は二人で確認する。
`);
  fs.writeFileSync(path.join(dir, 'content/meetings/2023-12-20-internal.md'), `+++
title = "社内検証会議（第1回）"
date = 2023-12-20T15:00:00+09:00
incidents = ["2023-12-01-internal-review"]
visibility = "internal"
+++

## 議事

<!-- internal -->
社内の議事。
<!-- /internal -->
`);
}

// Page types are the registry's kinds. The print documents (docs/printing.md) are pages too:
// every check that says "every page" covers them; the checks that are about the web layout
// (phone, tap targets) report them separately.
export function pageType(rel) {
  return ROUTES.get(rel)?.kind ?? 'other';
}

// The page types of issue 7, in order, and the page of each that the one-per-type checks
// use: a named one where the issue names it, otherwise the largest of its type (the most
// content, so the most to go wrong).
export const NAMED_TYPES = [
  ['home', null],
  ['incidents-index', null],
  ['incident', '2017-07-03-jcom'],
  ['causes-index', null],
  ['cause', 'vendor-bug'],
  ['years-index', null],
  ['year', null],
  ['operators-index', null],
  ['operator', null],
  ['meetings-index', null],
  ['meeting', null],
];
// Pages of other types that the one-per-type checks also cover (not named in the issue).
export const EXTRA_TYPES = ['reports-index', '404', 'search', 'incident-report', 'meeting-packet', 'annual-report', 'tags-index', 'tag'];

/** The path of the page of `kind` for `id` (an incident's id, a cause key …; any page
 * of the kind without one), from `gen routes`; null when the site has none. */
export function routeOf(kind, id = null) {
  for (const [rel, r] of ROUTES) if (r.kind === kind && (id === null || r.id === id)) return rel;
  return null;
}

/** [{type, rel}] for each wanted type that the output has: the page with the preferred
 * id, else the largest of its type. */
export function representativePages(dir, types) {
  const pages = htmlFiles(dir);
  const out = [];
  for (const [type, preferred] of types) {
    const named = preferred && routeOf(type, preferred);
    if (named && pages.includes(named)) { out.push({ type, rel: named }); continue; }
    const ofType = pages.filter((p) => pageType(p) === type);
    if (ofType.length === 0) continue;
    ofType.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size || a.localeCompare(b));
    out.push({ type, rel: ofType[0] });
  }
  return out;
}

/** Percent-encodes a relative path for use in a URL (each segment). */
export function encodePath(rel) {
  return rel.split('/').map(encodeURIComponent).join('/');
}
