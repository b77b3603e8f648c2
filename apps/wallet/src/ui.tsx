// Small shared pieces: amounts, times, reasons, a clock.
import { formatAmount, isProtocolError } from '@moneybag/protocol';
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

export const formatTime = (ms: number) =>
  new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatDate = (seconds: number) =>
  new Date(seconds * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** "2 days", "5 min", "40 s". */
export function formatSpan(seconds: number): string {
  if (seconds >= 2 * 86_400) return `${Math.floor(seconds / 86_400)} days`;
  if (seconds >= 2 * 3600) return `${Math.floor(seconds / 3600)} hours`;
  if (seconds >= 120) return `${Math.floor(seconds / 60)} min`;
  return `${Math.max(0, seconds)} s`;
}

/** The reason a person reads: the protocol's message, with its code for support. */
export function reason(e: unknown): { text: string; code?: string } {
  if (isProtocolError(e)) return { text: e.message, code: e.code };
  if (e instanceof Error) return { text: e.message };
  return { text: String(e) };
}

export function Alert(p: { error: unknown }) {
  const r = reason(p.error);
  return (
    <div className="alert" role="alert" data-testid="error">
      {r.text}
      {r.code && <div className="muted">{r.code}</div>}
    </div>
  );
}

/** A QR code as wide as the screen allows. */
export const qrSize = () => Math.min(440, Math.max(240, (globalThis.innerWidth || 360) - 24));
