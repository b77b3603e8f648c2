// One build, three pages: the service serves dist/collector/ at /collector/, dist/issuer/ at /issuer/ and
// dist/landing/ at /.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        collector: `${root}collector/index.html`,
        issuer: `${root}issuer/index.html`,
        landing: `${root}landing/index.html`,
      },
    },
  },
  server: { port: 5305, strictPort: true },
  preview: { port: 5305, strictPort: true },
});
