// Builds only the grab page (and the index the test stack waits for), with the project's own
// settings: for working on the grab client while other pages are half-written.
//   npx vite build --config src/grab/vite.grab.ts --outDir dist-grab --emptyOutDir
import { resolve } from 'node:path';
import type { UserConfig } from 'vite';
import base from '../../vite.config';

const root = resolve(import.meta.dirname, '../..');
const config = base as UserConfig;

export default {
  ...config,
  root,
  build: {
    ...config.build,
    rollupOptions: { input: { index: resolve(root, 'index.html'), grab: resolve(root, 'grab.html') } },
  },
} satisfies UserConfig;
