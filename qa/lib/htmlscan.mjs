// A small HTML scanner for the link checker: start tags with their attributes, the ids a
// page defines, and the CSS in <style> blocks. gen's output is machine-written, so this
// does not need to be a full HTML parser; the browser-based checks cross-check it (they
// collect links with the real DOM).

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

/** Decodes character references in an attribute value. */
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+[0-9]*);/gi, (m, ref) => {
    if (ref[0] === '#') {
      const n = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      try { return String.fromCodePoint(n); } catch { return m; }
    }
    return Object.prototype.hasOwnProperty.call(NAMED, ref.toLowerCase()) ? NAMED[ref.toLowerCase()] : m;
  });
}

const TAG = /<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTR = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Line number (1-based) of a character offset. */
function lineOf(text, offset, cache) {
  if (!cache.starts) {
    cache.starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) cache.starts.push(i + 1);
  }
  let lo = 0, hi = cache.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cache.starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Scans an HTML document. Returns { tags: [{name, attrs, line}], ids: Set, styles: [{css, line}] }.
 * Comments are skipped; the contents of <script> and <style> are not scanned for tags.
 */
export function scanHtml(text) {
  const cache = {};
  // Blank out comments and raw-text elements, keeping offsets (and so line numbers) intact.
  const styles = [];
  let masked = text.replace(/<!--[\s\S]*?-->/g, (m) => m.replace(/[^\n]/g, ' '));
  masked = masked.replace(/(<(script|style)\b[^>]*>)([\s\S]*?)(<\/\2\s*>)/gi, (m, open, name, body, close, offset) => {
    if (name.toLowerCase() === 'style') styles.push({ css: body, line: lineOf(text, offset, cache) });
    return open + body.replace(/[^\n]/g, ' ') + close;
  });
  const tags = [];
  const ids = new Set();
  TAG.lastIndex = 0;
  let m;
  while ((m = TAG.exec(masked))) {
    const attrs = {};
    ATTR.lastIndex = 0;
    let a;
    while ((a = ATTR.exec(m[2]))) {
      const name = a[1].toLowerCase();
      const raw = a[2] ?? a[3] ?? a[4] ?? '';
      if (!(name in attrs)) attrs[name] = decodeEntities(raw);
    }
    const name = m[1].toLowerCase();
    tags.push({ name, attrs, line: lineOf(text, m.index, cache) });
    if (attrs.id !== undefined) ids.add(attrs.id);
    if (name === 'a' && attrs.name !== undefined) ids.add(attrs.name);
  }
  return { tags, ids, styles };
}

/** The URL-bearing attributes of a tag: [{attr, value}]. srcset is split into its URLs. */
export function urlsOfTag(tag) {
  const out = [];
  const a = tag.attrs;
  for (const attr of ['href', 'src', 'poster', 'action', 'formaction', 'data', 'xlink:href', 'cite', 'longdesc', 'manifest']) {
    if (a[attr] === undefined) continue;
    if (attr === 'data' && tag.name !== 'object') continue;
    if (attr === 'cite' && !['blockquote', 'q', 'del', 'ins'].includes(tag.name)) continue;
    out.push({ attr, value: a[attr] });
  }
  for (const attr of ['srcset', 'imagesrcset']) {
    if (a[attr] === undefined) continue;
    for (const part of a[attr].split(',')) {
      const url = part.trim().split(/\s+/)[0];
      if (url) out.push({ attr, value: url });
    }
  }
  return out;
}

/** URLs in CSS: url(...) and @import "...". */
export function urlsOfCss(css) {
  const out = [];
  const noComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const re = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi;
  let m;
  while ((m = re.exec(noComments))) out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '');
  return out.filter((u) => u !== '');
}
