// The Nu Html Checker (vnu.jar from the vnu-jar npm package), run with the system's java.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export function vnuJar() {
  return path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
}

/**
 * Checks files (absolute paths) with vnu. Resolves to { errors, warnings, infos, files } where each
 * message is { file, line, col, message, extract }.
 */
export function runVnu(files, { alsoCheckCss = false } = {}) {
  return new Promise((resolve, reject) => {
    const args = ['-Xss1m', '-jar', vnuJar(), '--format', 'json', '--stdout', '--exit-zero-always'];
    if (alsoCheckCss) args.push('--also-check-css');
    const java = spawn('java', [...args, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    java.stdout.on('data', (d) => { out += d; });
    java.stderr.on('data', (d) => { err += d; });
    java.on('error', (e) => reject(new Error(`cannot run java (${e.message}); install a JRE: apt-get install -y default-jre-headless`)));
    java.on('close', (code) => {
      let json;
      try { json = JSON.parse(out); } catch {
        return reject(new Error(`vnu exited ${code} without JSON output:\n${out}${err}`.slice(0, 4000)));
      }
      const res = { errors: [], warnings: [], infos: [], files: files.length };
      for (const m of json.messages || []) {
        let file = m.url || '';
        if (file.startsWith('file:')) { try { file = fileURLToPath(file); } catch { /* keep */ } }
        const msg = { file, line: m.lastLine ?? m.firstLine ?? 0, col: m.firstColumn ?? m.lastColumn ?? 0, message: m.message, extract: (m.extract || '').replace(/\s+/g, ' ').trim() };
        if (m.type === 'error' || m.type === 'non-document-error') res.errors.push(msg);
        else if (m.type === 'info' && m.subType === 'warning') res.warnings.push(msg);
        else res.infos.push(msg);
      }
      resolve(res);
    });
  });
}
