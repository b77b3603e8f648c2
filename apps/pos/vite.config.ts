// The POS PWA, served by the service at /pos/. Workbox precaches every asset, so that after the first
// load the POS starts and takes payments with no network at all.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/pos/',
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false, // main.tsx registers, after the first paint
      scope: '/pos/',
      includeAssets: ['icon.svg'],
      manifest: {
        id: '/pos/',
        name: 'Moneybag POS',
        short_name: 'POS',
        description: 'Take ticket payments by QR code, offline.',
        start_url: '/pos/',
        scope: '/pos/',
        display: 'standalone',
        orientation: 'landscape',
        background_color: '#ffffff',
        theme_color: '#14213d',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/pos/index.html',
        navigateFallbackAllowlist: [/^\/pos\//],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { port: 5303, strictPort: true },
  preview: { port: 5303, strictPort: true },
});
