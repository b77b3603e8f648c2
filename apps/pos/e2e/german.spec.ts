// Every app in German when the browser asks for it (issue 13): the main screens of the landing, collector and
// issuer pages, the wallet and the POS opened with the locale de-DE show the German catalog's words, and no text
// of the English catalog leaks onto them.

import { decode, encode, fromText, readContent, toText } from '@moneybag/protocol';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { t as qrT } from '../../../packages/qr/src/text.ts';
import { t as collectorT } from '../../collector/src/common/text.ts';
import { t as walletT } from '../../wallet/src/text.ts';
import { t as posT } from '../src/text.ts';
import {
  cancelSale,
  challengeOnScreen,
  charge,
  demo,
  issue,
  newShop,
  openPos,
  pairingCode,
  revokeTerminal,
  SimWallet,
  uniq,
} from './support.ts';

type Catalogs = { en: Record<string, string>; de: Record<string, string> };
const [collectorText, walletText, posText, qrText] = [collectorT, walletT, posT, qrT].map((t) => t.catalogs);

const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whole words: ids and links such as "acme-coffee" or "/wallet/" are not words. */
const asWords = (words: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}_./-])${quote(words)}(?![\\p{L}\\p{N}_/-])`, 'u');

/**
 * The English texts of `catalogs` found on the page: each English text, cut at its {placeholders}, whose pieces
 * of four letters or more stand on the page as whole words. A piece German uses too ("online", "Ticket",
 * "Terminal": it is in a German text of the catalogs) says nothing, and is passed over.
 */
async function englishOn(page: Page, ...all: Catalogs[]): Promise<string[]> {
  // Rendered text, as a person reads it: words of separate elements stay apart, closed <details> are left out.
  // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
  const visible = await page.locator('body').innerText();
  const german = all.flatMap((c) => Object.values(c.de)).join('\n');
  const found: string[] = [];
  for (const { en } of all)
    for (const [key, text] of Object.entries(en))
      for (const piece of text.split(/\{\w+\}/)) {
        const words = piece.replace(/^[\s·]+|[\s·#]+$/g, '');
        if (words.replace(/[^A-Za-z]/g, '').length < 4) continue;
        if (asWords(words).test(german) || !asWords(words).test(visible)) continue;
        found.push(`${key}: "${words}"`);
      }
  return found;
}

async function german(page: Page, name: string, shows: string[], ...all: Catalogs[]) {
  for (const text of shows) await expect(page.locator('body'), `${name}: ${text}`).toContainText(text);
  expect(await englishOn(page, ...all, qrText), `${name}: English text on a German screen`).toEqual([]);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
}

/**
 * A refusal said in German (`words`, the code beside them); the service's English `sentence` is not on the
 * screen until the details line under the refusal is opened.
 */
/** The operator's login on a German collector or issuer page. */
async function logIn(page: Page, token: string) {
  await page.getByLabel('Betreiber-Token').fill(token);
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

async function refusedInGerman(page: Page, where: Locator, code: string, words: string, sentence: string) {
  await expect(where).toHaveAttribute('data-code', code);
  await expect(where).toContainText(words);
  await expect(where).toContainText(code);
  // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
  expect(await page.locator('body').innerText()).not.toContain(sentence);
  const detail = where.getByTestId('error-detail');
  await expect(detail.locator('summary')).toHaveText('Einzelheiten');
  await detail.locator('summary').click();
  await expect(detail).toContainText(sentence);
  // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
  expect(await page.locator('body').innerText()).toContain(sentence);
  await detail.locator('summary').click();
}

test('the leak check sees English: the same screen in English is full of it', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByText('The demo, step by step')).toBeVisible();
  expect(await englishOn(page, collectorText)).toEqual(
    expect.arrayContaining(['stepsTitle: "The demo, step by step"', 'tillTitle: "Till (POS)"']),
  );
  await context.close();
});

test('the landing, collector and issuer pages in German', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'de-DE' });
  const page = await context.newPage();
  await page.goto('/');
  await german(page, 'landing', ['Die Vorführung, Schritt für Schritt', 'Kasse'], collectorText);

  await page.goto('/collector/');
  await german(page, 'collector login', ['Betreiber-Token', 'Anmelden'], collectorText);
  await logIn(page, demo().collector.token);
  await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
  await expect(page.getByTestId('shops')).toContainText(demo().shops[0].id);
  await page.getByRole('button', { name: demo().shops[0].id, exact: true }).click();
  await expect(page.getByTestId('allocations')).toBeVisible();
  await german(
    page,
    'collector',
    ['Geschäfte', 'Geschäft hinzufügen', 'Erhaltene Geldbeutel', 'Geldbeutel-Datei einlesen', 'Herausgeber'],
    collectorText,
  );

  await page.goto('/issuer/');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await logIn(page, demo().issuer.token);
  await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
  await german(
    page,
    'issuer',
    ['Ticket ausstellen', 'Zuerst den Schlüssel der Wallet einlesen', 'Abrechnung', 'Gesperrte Wallets'],
    collectorText,
  );
  await context.close();
});

test('the wallet and the POS in German, from pairing to a payment taken', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const phone = await browser.newContext({ locale: 'de-DE', viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await wallet.goto('/wallet/');
  await german(wallet, 'wallet setup', ['Willkommen in deiner Wallet', 'Meine Wallet anlegen'], walletText);
  await wallet.getByTestId('create-wallet').click();
  await german(wallet, 'wallet home (empty)', ['Noch keine Tickets.', 'Empfangen'], walletText);

  await wallet.getByTestId('receive').click();
  await german(wallet, 'wallet receive', ['Ticket empfangen', 'Link teilen'], walletText);
  const href = (await wallet.getByTestId('holder-link').getAttribute('href'))!;
  const holder = decode(readContent(href), 'HolderKey').holder;
  await wallet.goto(`/wallet/#m=${await issue(request, holder, { face: 1000 })}`);
  await expect(wallet.getByTestId('notice')).toContainText('Ticket erhalten');
  await german(wallet, 'wallet home', ['Tickets', 'übrig', 'gültig bis'], walletText);

  await wallet.getByTestId('pay').click();
  await german(wallet, 'wallet scan', ['Scannen', 'Abbrechen'], walletText);
  await wallet.goto('/wallet/');
  await wallet.getByTestId('open-history').click();
  await german(wallet, 'wallet history', ['Verlauf', 'Noch keine Zahlungen.'], walletText);
  await wallet.goto('/wallet/');
  await wallet.getByRole('button', { name: 'Mehr' }).click();
  await german(
    wallet,
    'wallet more',
    ['Online an ein Geschäft zahlen', 'Sicherung wiederherstellen', 'Diese Wallet'],
    walletText,
  );

  const tablet = await browser.newContext({ locale: 'de-DE' });
  const fresh = await tablet.newPage();
  await fresh.goto('/pos/');
  await german(fresh, 'pos pairing', ['Dieses Terminal koppeln', 'Name dieses Terminals'], posText);
  await tablet.close();

  const shop = await newShop(request, `de-${uniq()}`, 'Bäckerei');
  const pos = await openPos(browser, baseURL!, shop, 'kasse-1', 'de-DE');
  await german(pos, 'pos charge', ['Kassieren', 'Geldbeutel', 'Heute'], posText);
  await pos.getByTestId('unit-EUR').click();
  for (const k of '1.50') await pos.getByTestId(`key-${k}`).click();
  await pos.getByTestId('charge-button').click();
  await expect(pos.getByTestId('deal')).toBeVisible();
  await german(pos, 'pos deal', ['Die Zahlung der Wallet scannen', 'Abbrechen'], posText);

  await wallet.goto((await pos.getByTestId('challenge-link').getAttribute('href'))!);
  await expect(wallet.getByTestId('confirm')).toBeVisible();
  await german(wallet, 'wallet confirm', ['Zahlen an', 'bezahlen'], walletText);
  await wallet.getByTestId('confirm-pay').click();
  await expect(wallet.getByTestId('paid')).toBeVisible();
  await german(wallet, 'wallet paid', ['Das der Kasse zeigen'], walletText);

  await pos.goto((await wallet.getByTestId('payment-link').getAttribute('href'))!);
  await expect(pos.getByTestId('verdict')).toBeVisible();
  await german(pos, 'pos verdict', ['ANGENOMMEN', 'Nächster Verkauf'], posText);
  await pos.getByTestId('verdict-done').click();
  await pos.getByTestId('tab-bags').click();
  await german(pos, 'pos bags', ['Aktueller Geldbeutel', 'Diesen Geldbeutel schließen'], posText);
  await pos.getByTestId('tab-history').click();
  await german(pos, 'pos today', ['Heute:', 'aus 1 Verkauf'], posText);
  await pos.getByTestId('tab-settings').click();
  await german(pos, 'pos terminal', ['Dieses Terminal', 'Jetzt verbinden'], posText);
});

test('a refusal on a German POS: the code with its German words, the service’s English sentence only on a details line', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const shop = await newShop(request, `de-${uniq()}`, 'Metzgerei');
  const first = await pairingCode(request, shop.id, baseURL!);
  const pos = await openPos(browser, baseURL!, shop, 'Theke', 'de-DE', undefined, first.link);

  // A payment refused by the check (a RIDE ticket for a price in euros): German words and the code; the
  // check's own English sentence ("ticket 1 is in RIDE, not EUR") only on the details line.
  const wallet = new SimWallet(request);
  const ride = await wallet.ticket({ unit: 'RIDE', face: 5 });
  await charge(pos, 'EUR', '1.50');
  const { challenge } = await challengeOnScreen(pos);
  await pos.getByText('Stattdessen eine Zahlung einfügen').click();
  await pos
    .getByTestId('payment-text')
    .fill(toText(await wallet.pay(challenge, [{ ticket: ride, amount: 1 }])));
  await pos.getByRole('button', { name: 'Prüfen' }).click();
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-code', 'E_UNIT');
  await german(pos, 'pos refused', ['ABGELEHNT', 'andere Einheit', 'E_UNIT', 'Einzelheiten'], posText);
  // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
  expect(await pos.locator('body').innerText()).not.toContain('RIDE, not EUR');
  await pos.getByTestId('error-detail').locator('summary').click();
  await expect(pos.getByTestId('error-detail')).toContainText('ticket 1 is in RIDE, not EUR');
  await pos.getByTestId('verdict-done').click();
  await cancelSale(pos);

  await pos.getByTestId('tab-settings').click();
  const terminal = (await pos.getByTestId('terminal-id').textContent())!;

  // Revoked: the next contact is refused (401 E_AUTH with the service's English sentence).
  await revokeTerminal(request, shop.id, terminal);
  await pos.getByTestId('sync-now').click();
  const again = pos.getByTestId('pair-again');
  await expect(again.getByTestId('error')).toHaveAttribute('data-code', 'E_AUTH');
  await german(
    pos,
    'pos pair again',
    ['Dieses Terminal neu koppeln', 'nimmt dieses Terminal', 'E_AUTH'],
    posText,
  );
  // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
  expect(await pos.locator('body').innerText()).not.toContain('revoked');
  // The service's sentence is kept for support, on a details line that is opened.
  const detail = again.getByTestId('error-detail');
  await detail.locator('summary').click();
  await expect(detail).toContainText(`the collector revoked this terminal (${terminal}`);
  await detail.locator('summary').click();

  // The spent code typed again: refused in German, the service's why aside.
  await pos.getByTestId('pair-link').fill(first.link);
  await pos.getByTestId('pair-submit').click();
  const refusal = pos.locator('form').getByTestId('error');
  await expect(refusal).toHaveAttribute('data-code', 'E_AUTH');
  await expect(refusal).toContainText('Dieser Kopplungscode koppelt dieses Terminal nicht');
  // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
  expect(await refusal.innerText()).not.toContain('used already');
  expect(await englishOn(pos, posText, qrText)).toEqual([]);

  // A new code pairs it again, in German all along.
  await pos.getByTestId('pair-link').fill((await pairingCode(request, shop.id, baseURL!)).link);
  await pos.getByTestId('pair-submit').click();
  await german(pos, 'pos paired again', ['Kassieren', 'Geldbeutel', 'Heute'], posText);
});

test('a refusal on the German wallet, collector and issuer pages: German words and the code, the service’s English sentence only on a details line', async ({
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  // A ticket whose issuer no app knows (its issuer renamed): the wallet refuses it (E_ISSUER) in German words
  // and keeps the check's "unknown issuer nobody" for support.
  const strayTicket = async (holder: Uint8Array) =>
    toText(
      encode({
        ...decode(fromText(await issue(request, holder, { face: 100 })), 'Ticket'),
        issuer: 'nobody',
      }),
    );
  const holderOf = async (wallet: Page) => {
    await wallet.getByTestId('receive').click();
    const href = (await wallet.getByTestId('holder-link').getAttribute('href'))!;
    return decode(readContent(href), 'HolderKey').holder;
  };

  const phone = await browser.newContext({ locale: 'de-DE', viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await wallet.goto('/wallet/');
  await wallet.getByTestId('create-wallet').click();
  await wallet.goto(`/wallet/#m=${await strayTicket(await holderOf(wallet))}`);
  const refused = wallet.getByTestId('error');
  await refusedInGerman(
    wallet,
    refused,
    'E_ISSUER',
    'Dieses Ticket stammt von einem Herausgeber, den diese App nicht kennt.',
    'unknown issuer nobody',
  );
  await german(wallet, 'wallet refused', ['Einzelheiten'], walletText);
  await phone.close();

  // The same refusal on an English wallet keeps what it showed: words, the sentence beside them, the code.
  const english = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
  const enWallet = await english.newPage();
  await enWallet.goto('/wallet/');
  await enWallet.getByTestId('create-wallet').click();
  await enWallet.goto(`/wallet/#m=${await strayTicket(await holderOf(enWallet))}`);
  await expect(enWallet.getByTestId('error')).toContainText(
    'This ticket comes from an issuer this app does not know. — unknown issuer nobody',
  );
  await expect(enWallet.getByTestId('error-detail')).toHaveCount(0);
  await english.close();

  const context = await browser.newContext({ locale: 'de-DE' });
  const page = await context.newPage();
  // The collector page: a token the service does not know ("unknown token").
  await page.goto('/collector/');
  await logIn(page, 'kein-token');
  await refusedInGerman(
    page,
    page.getByRole('alert'),
    'E_AUTH',
    'Nicht angemeldet, oder das Token gilt nicht mehr.',
    'unknown token',
  );
  await german(page, 'collector refused', ['Betreiber-Token', 'Einzelheiten'], collectorText);

  // Logged in, a pasted text that is no bag: the check's "not base64url" aside.
  await logIn(page, demo().collector.token);
  await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
  await page.getByLabel('oder ihren Text einfügen').fill('das ist kein Geldbeutel');
  await refusedInGerman(
    page,
    page.getByRole('alert'),
    'E_FIELD',
    'Der Code ist beschädigt oder unvollständig',
    'not base64url',
  );
  await german(page, 'collector bag refused', ['Geldbeutel-Datei einlesen', 'Einzelheiten'], collectorText);

  // The issuer page: the collector's token is another party's ("this needs the token of a issuer").
  await page.goto('/issuer/');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await logIn(page, demo().collector.token);
  await refusedInGerman(
    page,
    page.getByRole('alert'),
    'E_FORBIDDEN',
    'Das gehört jemand anderem.',
    'needs the token',
  );
  await german(page, 'issuer refused', ['Betreiber-Token', 'Einzelheiten'], collectorText);
  await context.close();
});
