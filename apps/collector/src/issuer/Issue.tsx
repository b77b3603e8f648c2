// Issue a ticket to a holder: read the wallet's HolderKey (camera or pasted), choose unit, face and expiry.
import {
  decode,
  formatAmount,
  fromText,
  type HolderKey,
  parseAmount,
  type Ticket,
  toBase64url,
  toUrl,
  unitDigits,
} from '@moneybag/protocol';
import { QrCode, Scanner } from '@moneybag/qr';
import { validUntil } from '@moneybag/web';
import { type FormEvent, useEffect, useState } from 'react';
import { readHolderKey } from '../common/holder.ts';
import { t } from '../common/text.ts';
import { ErrorBox, Section } from '../common/ui.tsx';
import { issueTicket } from './api.ts';

export const UNITS = ['EUR', 'ADMIT', 'RIDE'] as const;

/** The wallets' names as they gave them (their HolderKey label), kept by this page: the service knows keys only. */
const NAMES = 'moneybag.issuer.names';
export const holderName = (key: string): string | undefined =>
  (JSON.parse(localStorage.getItem(NAMES) ?? '{}') as Record<string, string>)[key];
const rememberName = (key: string, label: string) => {
  if (!label) return;
  const names = JSON.parse(localStorage.getItem(NAMES) ?? '{}') as Record<string, string>;
  localStorage.setItem(NAMES, JSON.stringify({ ...names, [key]: label }));
};
const DAY = 86_400;

const dateInput = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

export function Issue({ token, onIssued }: { token: string; onIssued: () => void }) {
  const [holder, setHolder] = useState<HolderKey>();
  const [pasted, setPasted] = useState('');
  const [scanning, setScanning] = useState(false);
  const [unit, setUnit] = useState<string>('EUR');
  const [face, setFace] = useState('10.00');
  const [expiry, setExpiry] = useState(() => dateInput(Math.floor(Date.now() / 1000) + 90 * DAY));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ bytes: Uint8Array; ticket: Ticket }>();

  const take = (content: Uint8Array | string) => {
    setError(undefined);
    setIssued(undefined);
    try {
      setHolder(readHolderKey(content));
      setScanning(false);
    } catch (e) {
      setHolder(undefined);
      setError(e);
    }
  };

  // The wallet's "send this link to the issuer" (`#m=<HolderKey>`): read when the page opens (after the login
  // too, as this mounts only then) and when a tab already open is given a new one; then taken off the address.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `take` only sets state
  useEffect(() => {
    const read = () => {
      if (!location.hash.startsWith('#m=')) return;
      take(location.href);
      history.replaceState(null, '', location.pathname + location.search);
    };
    read();
    addEventListener('hashchange', read);
    return () => removeEventListener('hashchange', read);
  }, []);

  const faceValue = parseAmount(face, unit);
  // The first second at which the ticket is dead: the end of the chosen day, local time.
  const expires = Math.floor(new Date(`${expiry}T23:59:59`).getTime() / 1000) + 1;
  // Why "Issue" cannot be pressed yet, said next to it.
  const why = !holder
    ? t('whyKey')
    : faceValue === undefined
      ? t('whyAmount', { unit })
      : faceValue < 1
        ? t('whyZero')
        : !Number.isFinite(expires)
          ? t('whyDay')
          : expires <= Date.now() / 1000
            ? t('whyOver')
            : undefined;

  const issue = async (e: FormEvent) => {
    e.preventDefault();
    if (why || !holder || faceValue === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await issueTicket(token, {
        holder: toBase64url(holder.holder),
        unit,
        face: faceValue,
        expires,
      });
      rememberName(toBase64url(holder.holder), holder.label);
      const bytes = fromText(answer.ticket);
      setIssued({ bytes, ticket: decode(bytes, 'Ticket') });
      onIssued();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const link = issued && toUrl(`${location.origin}/wallet/`, issued.bytes);

  return (
    <Section title={t('issueTitle')}>
      <h3>{t('holderKeyStep')}</h3>
      <div className="row">
        <button type="button" className="secondary" onClick={() => setScanning((s) => !s)}>
          {scanning ? t('stopCamera') : t('scanKey')}
        </button>
      </div>
      {scanning && (
        <div className="scanner">
          <Scanner onMessage={take} onError={(e: unknown) => setError(e)} />
        </div>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          take(pasted);
        }}
      >
        <label style={{ flex: 1 }}>
          {t('pasteKey')}
          <input name="holderkey" value={pasted} onChange={(e) => setPasted(e.target.value)} />
        </label>
        <button type="submit" className="secondary">
          {t('read')}
        </button>
      </form>
      {holder && (
        <dl className="facts" data-testid="holder">
          <dt>{t('holderCap')}</dt>
          <dd>{holder.label || <span className="muted">{t('noLabel')}</span>}</dd>
          <dt>{t('key')}</dt>
          <dd className="mono small">{toBase64url(holder.holder)}</dd>
        </dl>
      )}

      <h3>{t('ticketStep')}</h3>
      <form className="row" onSubmit={issue}>
        <label>
          {t('unit')}
          <select
            name="unit"
            value={unit}
            onChange={(e) => {
              setUnit(e.target.value);
              setFace(unitDigits(e.target.value) ? '10.00' : '1');
            }}
          >
            {UNITS.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
        <label>
          {t('faceCap')}
          <input name="face" inputMode="decimal" value={face} onChange={(e) => setFace(e.target.value)} />
        </label>
        <label>
          {t('validThrough')}
          <input name="expiry" type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !!why} aria-describedby="issue-why">
          {t('issue')}
        </button>
      </form>
      <p id="issue-why" className={why && holder ? 'bad' : 'muted'} data-testid="issue-why">
        {why}
      </p>
      {faceValue !== undefined && faceValue > 0 && (
        <p className="muted">{t('faceIs', { amount: formatAmount(faceValue, unit) })}</p>
      )}
      <ErrorBox error={error} />

      {issued && link && (
        <div className="issued" data-testid="issued">
          <h3>{t('giveStep')}</h3>
          <p>
            {t('issuedFor', {
              amount: formatAmount(issued.ticket.face, issued.ticket.unit),
              holder: holder?.label || t('theHolder'),
            })}{' '}
            <span data-testid="issued-until">{validUntil(issued.ticket.expires)}</span>.
          </p>
          <div className="qr">
            <div className="big">
              <QrCode message={issued.bytes} />
            </div>
            <div style={{ flex: 1, minWidth: 220 }}>
              <p>{t('scanOrOpen')}</p>
              <a className="link-box" href={link} data-testid="ticket-link">
                {link}
              </a>
            </div>
          </div>
        </div>
      )}
    </Section>
  );
}
