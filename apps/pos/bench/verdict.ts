// The POS in Debian's Chromium. Prints, never asserts:
// 1. from a decoded one-ticket Payment to the verdict painted, as the app itself measures it (data-ms on the
//    verdict: 5.1 from memory with the browser's verifier, React's commit and a forced layout), against the
//    real service (on the POS's own port), with the provider the POS uses;
// 2. frames decoded per second by packages/qr's startScanner on a 640x480 camera stream showing a real QR
//    code (a one-ticket Payment), counted in the page through its onContent callback.
// `benchVerdict()` is called by the root bench/run.ts (after `npm run build`); alone:
// `npm run build -w @moneybag/pos && node --import tsx apps/pos/bench/verdict.ts`
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import {
  decode,
  encode,
  fromText,
  readContent,
  type Signer,
  seedSigner,
  signPayment,
  type Ticket,
  toBase64url,
  utf8,
} from '@moneybag/protocol';
import { type Browser, chromium, type Page } from '@playwright/test';
import { build } from 'vite';
import { startService } from '../../../e2e/service.ts';
import { clearCamera, fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { tempFolder } from '../../../test/tmp.ts';
import { qrPng } from '../e2e/support.ts';

const PORT = Number(process.env.POS_BENCH_PORT ?? 5306);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const ROUNDS = 30;
const SCAN_SECONDS = 5;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

async function issue(demo: { issuer: { token: string } }, holder: Signer): Promise<Ticket> {
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
  return decode(fromText(((await res.json()) as { ticket: string }).ticket), 'Ticket');
}

/** 1: the verdict, ROUNDS one-ticket payments shown to the POS's camera. Returns one payment's bytes. */
async function verdicts(browser: Browser, data: string) {
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
  const ticket = await issue(demo, holder);
  const { total, check, payment } = await payRounds(page, holder, ticket, ROUNDS);
  await page.getByTestId('tab-settings').click();
  const provider = await page.getByTestId('provider').textContent();
  const t = stats(total);
  const c = stats(check);
  console.log(
    `pos: decoded one-ticket Payment -> verdict painted (${provider}): median ${t.median.toFixed(2)} ms, ` +
      `min ${t.min.toFixed(2)}, max ${t.max.toFixed(2)}; of which the check from memory: median ` +
      `${c.median.toFixed(2)} ms (${ROUNDS} payments, Chromium)`,
  );
  const long = await history(page, holder, ticket);
  await page.close();
  return { payment, verdictMs: t.median, ...long };
}

export const HISTORY = { bags: 200, uses: 50_000, tickets: 5_000 };

/**
 * 3: a POS with a long history: 50,000 accepted uses in 200 delivered bags over 5,000 tickets (with each
 * ticket's sum, as the store keeps it), written into its IndexedDB; then the page opened again until the tab
 * has taken the POS and shows the till (its memory loaded), and verdicts on it.
 */
async function history(page: Page, holder: Signer, ticket: Ticket) {
  await page.evaluate(async ({ bags, uses, tickets }) => {
    const db = await new Promise<IDBDatabase>((ok, ko) => {
      const r = indexedDB.open('moneybag-pos');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const expires = Math.floor(Date.now() / 1000) + 86_400;
    const list = Array.from({ length: tickets }, () => ({
      issuer: 'city-transit',
      unit: 'EUR',
      face: 100_000,
      holder: rnd(32),
      serial: rnd(16),
      expires,
      C: rnd(64),
    }));
    const per = uses / bags;
    const done = (tx: IDBTransaction) =>
      new Promise((ok, ko) => {
        tx.oncomplete = ok;
        tx.onerror = () => ko(tx.error);
      });
    for (let b = 0; b < bags; b++) {
      const tx = db.transaction(['bags', 'uses'], 'readwrite');
      const id = hex(rnd(32));
      tx.objectStore('bags').put({
        ...{ id, allocation: '', collector: 'first-bank', issued: 0, due: 0, state: 'delivered' },
        ...{ nextDeal: per, count: per, totals: { EUR: per }, attempts: 1 },
      });
      for (let deal = 0; deal < per; deal++) {
        const t = list[(b * per + deal) % tickets];
        const use = { deal, shop: 'acme-coffee', ticket: t, amount: 1, S: rnd(64) };
        const ticketId = `city-transit/${hex(t.serial)}`;
        tx.objectStore('uses').add({
          ...{ bag: id, deal, chal: hex(rnd(32)), ticket: ticketId },
          ...{ unit: 'EUR', amount: 1, at: Date.now(), use },
        });
      }
      await done(tx);
    }
    const tx = db.transaction('spent', 'readwrite');
    for (const t of list)
      tx.objectStore('spent').put({
        ticket: `city-transit/${hex(t.serial)}`,
        amount: uses / tickets,
        expires,
      });
    await done(tx);
    db.close();
  }, HISTORY);
  const t0 = performance.now();
  await page.reload();
  await page.getByTestId('charge').waitFor();
  const historyOpenMs = performance.now() - t0;
  const { total } = await payRounds(page, holder, ticket, 10);
  const historyVerdictMs = stats(total).median;
  console.log(
    `pos with ${HISTORY.uses.toLocaleString('en')} accepted uses in ${HISTORY.bags} bags over ${HISTORY.tickets.toLocaleString('en')} tickets: ` +
      `reloaded until the till shows (the tab took the POS, its memory loaded) in ${historyOpenMs.toFixed(0)} ms; ` +
      `verdict painted median ${historyVerdictMs.toFixed(2)} ms (10 payments, Chromium)`,
  );
  return { historyOpenMs, historyVerdictMs };
}

/** `rounds` one-ticket payments shown to the POS's camera: each verdict's time as the app measures it. */
async function payRounds(page: Page, holder: Signer, ticket: Ticket, rounds: number) {
  const total: number[] = [];
  const check: number[] = [];
  let payment: Uint8Array = new Uint8Array();
  for (let i = 0; i < rounds; i++) {
    await page.getByTestId('key-1').click();
    await page.getByTestId('charge-button').click();
    const href = await page.getByTestId('challenge-link').getAttribute('href');
    const challenge = decode(readContent(href!), 'Challenge');
    payment = encode({
      type: 'Payment',
      ...(await signPayment(holder, challenge, [{ ticket, amount: 100 }])),
    });
    // Through the camera, as at the counter (a click would make the browser favour the next frame).
    await showOnCamera(page, qrPng(payment));
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    if ((await verdict.getAttribute('data-verdict')) !== 'accepted') throw new Error('not accepted');
    total.push(Number(await verdict.getAttribute('data-ms')));
    check.push(Number(await verdict.getAttribute('data-check-ms')));
    await clearCamera(page);
    // Enabled once the write is done: the payment is kept.
    await page.getByTestId('verdict-done').click();
  }
  return { total, check, payment };
}

/** 2: startScanner on the fake 640x480 camera showing `message`, decodes counted over SCAN_SECONDS. */
async function scanner(browser: Browser, message: Uint8Array): Promise<void> {
  const dist = tempFolder('pos-scan');
  await build({
    root: join(import.meta.dirname, 'scan'),
    base: './',
    logLevel: 'warn',
    configFile: false,
    build: { outDir: dist, emptyOutDir: true, target: 'es2022' },
    worker: { format: 'es' },
  });
  const context = await browser.newContext();
  // Served by the bench itself, no server: the page is one HTML file, its script and the worker.
  await context.route('http://scan.bench/**', async (route) => {
    const path = normalize(new URL(route.request().url()).pathname);
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist)) return route.fulfill({ status: 403 });
    try {
      const type = extname(file) === '.js' ? 'text/javascript' : 'text/html';
      await route.fulfill({ status: 200, body: readFileSync(file), contentType: type });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
  const page = await context.newPage();
  await page.addInitScript('globalThis.__name = (f) => f;');
  await fakeCamera(page, { width: 640, height: 480 });
  await page.goto('http://scan.bench/');
  await showOnCamera(page, qrPng(message));
  type Scan = { decodes: number; native: boolean; error: string };
  const read = () => page.evaluate(() => (globalThis as unknown as { __scan: Scan }).__scan);
  await page.waitForFunction(() => (globalThis as unknown as { __scan: Scan }).__scan.decodes > 0, null, {
    timeout: 20_000,
  });
  const before = await read();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SCAN_SECONDS * 1000));
  const after = await read();
  const seconds = (performance.now() - t0) / 1000;
  if (after.error) throw new Error(after.error);
  console.log(
    `pos: frames decoded per second by the scanner on a 640x480 stream (a ${message.length}-byte Payment, ` +
      `${after.native ? 'BarcodeDetector, then jsQR' : 'jsQR in a worker'}): ` +
      `${((after.decodes - before.decodes) / seconds).toFixed(1)}/s over ${seconds.toFixed(1)} s (Chromium)`,
  );
  await context.close();
}

/** Prints the figures; gives the median payment-to-verdict times (ms), and the opening time with history. */
export async function benchVerdict(): Promise<{
  verdictMs: number;
  historyOpenMs: number;
  historyVerdictMs: number;
}> {
  const data = tempFolder('pos-bench');
  const service = await startService(data, PORT);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const { payment, verdictMs, historyOpenMs, historyVerdictMs } = await verdicts(browser, data);
    await scanner(browser, payment);
    return { verdictMs, historyOpenMs, historyVerdictMs };
  } finally {
    await browser.close();
    service.kill();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchVerdict();
