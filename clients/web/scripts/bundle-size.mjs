// The initial JavaScript of each page, gzipped: its entry chunk and every chunk it imports
// statically (what the browser loads before the first view), from Vite's build manifest.
// Fails the build when a mobile page is over its budget (issue 14: 200 KB gzipped).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const BUDGET_KB = 200;
const MOBILE = new Set(['h5.html', 'grab.html', 'applicant.html']);
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));

function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const child of manifest[key].imports ?? []) closure(child, seen);
  return seen;
}

let failed = false;
const rows = [];
for (const [key, chunk] of Object.entries(manifest)) {
  if (!chunk.isEntry || !key.endsWith('.html')) continue;
  let bytes = 0;
  for (const part of closure(key)) {
    if (manifest[part].file.endsWith('.js')) bytes += gzipSync(readFileSync(join(dist, manifest[part].file))).length;
  }
  const kb = bytes / 1024;
  const over = MOBILE.has(key) && kb > BUDGET_KB;
  failed ||= over;
  rows.push(`${key.padEnd(16)} ${kb.toFixed(1).padStart(7)} KB gzipped${MOBILE.has(key) ? ` (budget ${BUDGET_KB} KB)` : ''}${over ? '  OVER BUDGET' : ''}`);
}
console.log(`initial JavaScript per page:\n${rows.join('\n')}`);
process.exit(failed ? 1 : 0);
