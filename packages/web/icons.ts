// Renders an app's public/icon.svg to the PNG icons its manifest lists (run once when the icon changes):
//   node --import tsx packages/web/icons.ts wallet|pos
// The maskable one fills its square (no rounded corners): the platform cuts its own shape out of it.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const app = process.argv[2];
if (app !== 'wallet' && app !== 'pos') throw new Error('usage: icons.ts wallet|pos');
const dir = new URL(`../../apps/${app}/public/`, import.meta.url);
const svg = readFileSync(new URL('icon.svg', dir), 'utf8');
const square = svg.replace(/ rx="\d+"/, '');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [name, size, source] of [
  ['icon-192.png', 192, svg],
  ['icon-512.png', 512, svg],
  ['icon-maskable-512.png', 512, square],
] as const) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(
    `<body style="margin:0">${source.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body>`,
  );
  writeFileSync(new URL(name, dir), await page.screenshot({ omitBackground: true }));
}
await browser.close();
