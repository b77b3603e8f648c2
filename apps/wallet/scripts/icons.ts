// Renders public/icon.svg to the PNG icons the manifest lists (run once when the icon changes):
// node --import tsx apps/wallet/scripts/icons.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const dir = new URL('../public/', import.meta.url);
const svg = readFileSync(new URL('icon.svg', dir), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(
    `<body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body>`,
  );
  writeFileSync(new URL(`icon-${size}.png`, dir), await page.screenshot({ omitBackground: true }));
}
await browser.close();
