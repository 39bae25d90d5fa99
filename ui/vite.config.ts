import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The monitor is served by the API from dist/ui at `/`; relative asset URLs keep it relocatable.
export default defineConfig({
  root: 'ui',
  base: './',
  plugins: [preact()],
  build: { outDir: '../dist/ui', emptyOutDir: true },
});
