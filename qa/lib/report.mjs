// Check results and how they are printed.

export class Check {
  constructor(name) {
    this.name = name;
    this.failures = [];
    this.warnings = [];
    this.notes = [];
    this.summary = '';
  }
  fail(msg) { this.failures.push(msg); }
  warn(msg) { this.warnings.push(msg); }
  note(msg) { this.notes.push(msg); }
  get ok() { return this.failures.length === 0; }
}

const MAX = 25;

function list(title, items, out) {
  if (items.length === 0) return;
  out.push(`  ${title}:`);
  for (const m of items.slice(0, MAX)) out.push(`    ${m}`);
  if (items.length > MAX) out.push(`    … and ${items.length - MAX} more`);
}

/** The details of each check (failures, warnings, notes). */
export function printDetails(checks, log = console.log) {
  for (const c of checks) {
    const out = [];
    list('FAIL', c.failures, out);
    list('warning', c.warnings, out);
    list('note', c.notes, out);
    if (out.length) log([`[${c.name}]`, ...out].join('\n'));
  }
}

/** One line per check, then the closing count line. */
export function printSummary(checks, title, log = console.log) {
  const w = Math.max(...checks.map((c) => c.name.length));
  log('');
  log(`== ${title} ==`);
  for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(w)}  ${c.summary}`);
  const passed = checks.filter((c) => c.ok).length;
  return { passed, failed: checks.length - passed };
}

export const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;
export const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
