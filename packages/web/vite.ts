// The Vite config of a Moneybag PWA served by the service under /<app>/: Workbox precaches every asset, so
// that after the first load the app starts and works with no network at all.
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export function pwaConfig(p: {
  root: string;
  app: 'wallet' | 'pos';
  name: string;
  shortName: string;
  description: string;
  orientation: 'portrait' | 'landscape';
  themeColor: string;
  port: number;
}): UserConfig {
  const base = `/${p.app}/`;
  return defineConfig({
    root: p.root,
    base,
    plugins: [
      react(),
      VitePWA({
        registerType: 'autoUpdate',
        injectRegister: false, // main.tsx registers, after the first paint
        scope: base,
        includeAssets: ['icon.svg'],
        manifest: {
          id: base,
          name: p.name,
          short_name: p.shortName,
          description: p.description,
          start_url: base,
          scope: base,
          display: 'standalone',
          orientation: p.orientation,
          background_color: '#ffffff',
          theme_color: p.themeColor,
          icons: [
            { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
            { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
            { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
            { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
          ],
        },
        workbox: {
          globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
          navigateFallback: `${base}index.html`,
          navigateFallbackAllowlist: [new RegExp(`^${base}`)],
          cleanupOutdatedCaches: true,
        },
      }),
    ],
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
    worker: { format: 'es' },
    server: { port: p.port, strictPort: true },
    preview: { port: p.port, strictPort: true },
  });
}
