// The wallet PWA, served by the service at /wallet/. Workbox precaches every asset, so that after the
// first load the wallet works with no network at all.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/wallet/',
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false, // main.tsx registers, after the first paint
      scope: '/wallet/',
      includeAssets: ['icon.svg'],
      manifest: {
        id: '/wallet/',
        name: 'Moneybag wallet',
        short_name: 'Wallet',
        description: 'Tickets on your phone; pay by QR code, offline.',
        start_url: '/wallet/',
        scope: '/wallet/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#0b3d2e',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/wallet/index.html',
        navigateFallbackAllowlist: [/^\/wallet\//],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { port: 5302, strictPort: true },
  preview: { port: 5302, strictPort: true },
});
