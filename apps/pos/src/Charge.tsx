// The keypad: an amount in the unit's smallest part (EUR with cents, ADMIT/RIDE as counts).
import { formatAmount, parseAmount, unitDigits } from '@moneybag/protocol';
import { useEffect, useState } from 'react';
import { t } from './text.ts';
import { ErrorNote } from './ui.tsx';

export const UNITS = ['EUR', 'ADMIT', 'RIDE'];
const MAX_AMOUNT = 10_000_000;

/** Above this amount (smallest part) the cashier confirms the sale: set by the shop per unit, on this terminal. */
export function confirmAbove(unit: string): number {
  const set = Number(localStorage.getItem(`pos-confirm-above-${unit}`));
  if (Number.isSafeInteger(set) && set > 0) return set;
  return unitDigits(unit) ? 100 * 10 ** unitDigits(unit) : 10;
}
export const setConfirmAbove = (unit: string, amount: number) =>
  localStorage.setItem(`pos-confirm-above-${unit}`, String(amount));

/** Why a key typed would not make an amount, in words (undefined: it does). */
function refusedKey(typed: string, next: string, unit: string): string | undefined {
  const digits = unitDigits(unit);
  if (next.split('.').length > 2) return t('hintPoint');
  const frac = next.split('.')[1];
  if (frac !== undefined && frac.length > digits)
    return digits ? t('hintDigits', { digits }) : t('hintWhole', { unit });
  const v = parseAmount(next, unit);
  if (v === undefined) return t('hintNotAmount', { unit });
  if (v > MAX_AMOUNT) return t('hintMax', { max: formatAmount(MAX_AMOUNT, unit) });
  return typed === next ? t('hintNotAmount', { unit }) : undefined;
}

export function Charge(props: { onCharge(unit: string, amount: number): Promise<void>; disabled?: string }) {
  const [unit, setUnit] = useState(() => localStorage.getItem('pos-unit') ?? 'EUR');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [hint, setHint] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const digits = unitDigits(unit);
  const amount = parseAmount(typed || '0', unit);
  const valid = amount !== undefined && amount >= 1 && amount <= MAX_AMOUNT;

  const press = (key: string) => {
    setError(undefined);
    setHint(undefined);
    setConfirming(false);
    if (key === 'C') return setTyped('');
    if (key === '⌫') return setTyped((t) => t.slice(0, -1));
    const next = key === '.' && !typed ? '0.' : typed + key;
    const why = refusedKey(typed, next, unit);
    // A key that would not make an amount is not taken, and the cashier is told why (not dropped silently).
    if (why) setHint(why);
    else setTyped(next);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement)?.tagName === 'INPUT') return;
      if (/^[0-9]$/.test(e.key)) press(e.key);
      else if ((e.key === '.' || e.key === ',') && digits > 0) press('.');
      else if (e.key === 'Backspace') press('⌫');
      else if (e.key === 'Escape') press('C');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const limit = confirmAbove(unit);
  const charge = async () => {
    if (!valid || busy) return;
    if (amount > limit && !confirming) return setConfirming(true);
    setConfirming(false);
    setBusy(true);
    try {
      await props.onCharge(unit, amount);
      setTyped('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const keys = ['7', '8', '9', '4', '5', '6', '1', '2', '3', digits > 0 ? '.' : 'C', '0', '⌫'];
  return (
    <main className="charge" data-testid="charge">
      <section className="keypad-side">
        <fieldset className="units" aria-label={t('unit')}>
          {UNITS.map((u) => (
            <button
              key={u}
              aria-pressed={u === unit}
              className={u === unit ? 'selected' : ''}
              onClick={() => {
                setUnit(u);
                setTyped('');
                localStorage.setItem('pos-unit', u);
              }}
              data-testid={`unit-${u}`}
            >
              {u}
            </button>
          ))}
        </fieldset>
        <div className="display" data-testid="amount" aria-live="polite">
          {formatAmount(amount ?? 0, unit)}
        </div>
        <div className="hint" role="status" data-testid="keypad-hint">
          {hint}
        </div>
        <div className="keypad">
          {keys.map((k) => (
            <button
              key={k}
              onClick={() => press(k)}
              data-testid={`key-${k}`}
              aria-label={k === '⌫' ? t('delete') : k}
            >
              {k}
            </button>
          ))}
        </div>
      </section>
      <section className="charge-side">
        <button
          className="huge primary"
          disabled={!valid || busy || !!props.disabled}
          onClick={charge}
          data-testid="charge-button"
        >
          {valid ? t('charge', { amount: formatAmount(amount, unit) }) : t('tabCharge')}
        </button>
        {confirming && valid && (
          <div className="alert" role="alertdialog" aria-labelledby="confirm-q" data-testid="confirm-amount">
            <p id="confirm-q">
              {t('confirmAbove', { amount: formatAmount(amount, unit), limit: formatAmount(limit, unit) })}
            </p>
            <div className="row">
              <button className="big" onClick={() => setConfirming(false)}>
                {t('changeAmount')}
              </button>
              <button className="big primary" onClick={charge} data-testid="confirm-charge">
                {t('charge', { amount: formatAmount(amount, unit) })}
              </button>
            </div>
          </div>
        )}
        {props.disabled && <p className="alert">{props.disabled}</p>}
        {error != null && <ErrorNote error={error} />}
      </section>
    </main>
  );
}

/** The shop's amounts above which a sale is confirmed, per unit, kept on this terminal. */
export function ConfirmLimits() {
  const [limits, setLimits] = useState(() =>
    Object.fromEntries(UNITS.map((u) => [u, formatPlain(confirmAbove(u), u)])),
  );
  return (
    <fieldset className="limits">
      <legend>{t('limitsLegend')}</legend>
      {UNITS.map((u) => {
        const v = parseAmount(limits[u], u);
        return (
          <label key={u}>
            {u}
            <input
              inputMode="decimal"
              value={limits[u]}
              data-testid={`limit-${u}`}
              aria-invalid={v === undefined || v < 1}
              onChange={(e) => {
                setLimits({ ...limits, [u]: e.target.value });
                const next = parseAmount(e.target.value, u);
                if (next !== undefined && next >= 1) setConfirmAbove(u, next);
              }}
            />
          </label>
        );
      })}
    </fieldset>
  );
}

/** An amount as typed on a keypad ("100.00"), for an input. */
const formatPlain = (amount: number, unit: string) => {
  const d = unitDigits(unit);
  return d ? (amount / 10 ** d).toFixed(d) : String(amount);
};
