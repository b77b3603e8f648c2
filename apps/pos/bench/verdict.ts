// The POS in Debian's Chromium against the real service (on the POS's own port): from a decoded one-ticket
// Payment to the verdict in the page (5.1 with the browser's verifier, the IndexedDB transaction, React's
// commit and a forced layout), as the app itself measures it (data-ms on the verdict).
// Run: node --import tsx apps/pos/bench/verdict.ts   (after `npm run build -w @moneybag/pos`)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decode,
  encode,
  fromText,
  readContent,
  seedSigner,
  signPayment,
  toBase64url,
  utf8,
} from '@moneybag/protocol';
import { chromium } from '@playwright/test';
import { clearCamera, fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { qrPng } from '../e2e/support.ts';

const PORT = Number(process.env.POS_BENCH_PORT ?? 5303);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const ROUNDS = 30;
const root = join(import.meta.dirname, '../../..');

async function startService(): Promise<ChildProcess> {
  const data = mkdtempSync(join(tmpdir(), 'moneybag-pos-bench-'));
  const child = spawn(
    'node',
    ['--import', 'tsx', 'apps/server/src/main.ts', '--data', data, '--port', String(PORT)],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${ORIGIN}/.well-known/moneybag.json`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  (child as ChildProcess & { data?: string }).data = data;
  return child;
}

export async function benchVerdict(): Promise<void> {
  const service = await startService();
  const data = (service as ChildProcess & { data: string }).data;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const demo = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8'));
    const shop = demo.shops[0];
    const link = `${ORIGIN}/pos/#pair=${toBase64url(utf8(JSON.stringify({ url: ORIGIN, shop: shop.id, token: shop.token })))}`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx (esbuild, keepNames) wraps functions in __name(): the init script's text needs it in the page.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await fakeCamera(page);
    await page.goto(link);
    await page.getByTestId('pair-submit').click();
    await page.getByTestId('charge').waitFor();

    const holder = seedSigner(crypto.getRandomValues(new Uint8Array(32)));
    const res = await fetch(`${ORIGIN}/v1/tickets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${demo.issuer.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        holder: toBase64url(holder.publicKey),
        unit: 'EUR',
        face: 100_000,
        expires: Math.floor(Date.now() / 1000) + 86_400,
      }),
    });
    const ticket = decode(fromText(((await res.json()) as { ticket: string }).ticket), 'Ticket');

    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const k of '1') await page.getByTestId(`key-${k}`).click();
      await page.getByTestId('charge-button').click();
      const href = await page.getByTestId('challenge-link').getAttribute('href');
      const challenge = decode(readContent(href!), 'Challenge');
      const payment = encode({
        type: 'Payment',
        ...(await signPayment(holder, challenge, [{ ticket, amount: 100 }])),
      });
      // Through the camera, as at the counter (a click would make the browser favour the next frame).
      await showOnCamera(page, qrPng(payment));
      const verdict = page.getByTestId('verdict');
      await verdict.waitFor();
      if ((await verdict.getAttribute('data-verdict')) !== 'accepted') throw new Error('not accepted');
      times.push(Number(await verdict.getAttribute('data-ms')));
      await clearCamera(page);
      await page.getByTestId('verdict-done').click();
    }
    await page.getByTestId('tab-settings').click();
    const provider = await page.getByTestId('provider').textContent();
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `pos: decoded one-ticket Payment -> verdict painted, ${provider}: median ${median.toFixed(2)} ms, ` +
        `min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)} (${ROUNDS} payments, Chromium)`,
    );
  } finally {
    await browser.close();
    service.kill();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchVerdict();
