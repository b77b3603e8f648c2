// The keypad: an amount in the unit's smallest part (EUR with cents, ADMIT/RIDE as counts).
import { formatAmount, parseAmount, unitDigits } from '@moneybag/protocol';
import { useEffect, useState } from 'react';
import { ErrorNote } from './ui.tsx';

export const UNITS = ['EUR', 'ADMIT', 'RIDE'];
const MAX_AMOUNT = 10_000_000;

export function Charge(props: { onCharge(unit: string, amount: number): Promise<void>; disabled?: string }) {
  const [unit, setUnit] = useState(() => localStorage.getItem('pos-unit') ?? 'EUR');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const digits = unitDigits(unit);
  const amount = parseAmount(typed || '0', unit);
  const valid = amount !== undefined && amount >= 1 && amount <= MAX_AMOUNT;

  const press = (key: string) => {
    setError(undefined);
    if (key === 'C') return setTyped('');
    if (key === '⌫') return setTyped((t) => t.slice(0, -1));
    setTyped((t) => {
      const next = key === '.' && !t ? '0.' : t + key;
      const v = parseAmount(next, unit);
      return v !== undefined && v <= MAX_AMOUNT ? next : t;
    });
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

  const charge = async () => {
    if (!valid || busy) return;
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
        <fieldset className="units" aria-label="Unit">
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
        <div className="display" data-testid="amount">
          {formatAmount(amount ?? 0, unit)}
        </div>
        <div className="keypad">
          {keys.map((k) => (
            <button
              key={k}
              onClick={() => press(k)}
              data-testid={`key-${k}`}
              aria-label={k === '⌫' ? 'Delete' : k}
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
          Charge {valid ? formatAmount(amount, unit) : ''}
        </button>
        {props.disabled && <p className="alert">{props.disabled}</p>}
        {error != null && <ErrorNote error={error} />}
      </section>
    </main>
  );
}
