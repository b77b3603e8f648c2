// Small shared pieces: amounts, times, reasons, a clock.
import { formatAmount } from '@moneybag/protocol';
import { SaidText, say } from '@moneybag/web';
import { useEffect, useState } from 'react';

export const Amount = (p: { amount: number; unit: string }) => <>{formatAmount(p.amount, p.unit)}</>;

/** Now in seconds, ticking. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export { formatDay, formatMoment, formatSpan, validUntil } from '@moneybag/web';

/** A failure in words, its code and detail small beside it (on a German screen the English detail aside). */
export function Alert(p: { error: unknown }) {
  const r = say(p.error);
  return (
    <div className="alert" role="alert" data-testid="error" data-code={r.code}>
      <SaidText said={r} />
    </div>
  );
}

/** A QR code as wide as the screen allows. */
export const qrSize = () => Math.min(440, Math.max(240, (globalThis.innerWidth || 360) - 24));
