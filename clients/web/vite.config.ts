import { resolve } from 'node:path';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig } from 'vite';

// One project, one HTML entry per client. Vant components are imported where a template uses
// them (unplugin-vue-components + Vant's resolver, as Vant's docs recommend): a page ships only
// the components it shows, which keeps each mobile page inside its 200 KB budget.
const pages = ['index', 'h5', 'grab', 'applicant', 'regulator', 'wall', 'admin'];

export default defineConfig({
  plugins: [vue(), Components({ dts: false, resolvers: [VantResolver()] })],
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    manifest: true, // read by scripts/bundle-size.mjs: each page's initial JavaScript
    rollupOptions: { input: Object.fromEntries(pages.map((p) => [p, resolve(import.meta.dirname, `${p}.html`)])) },
  },
});
