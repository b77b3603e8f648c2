// Small shared pieces: an error in words with its code, times and amounts for people.
import { CODE_TEXT, formatAmount, isProtocolError } from '@moneybag/protocol';

export function ErrorNote(props: { error: unknown }) {
  const e = props.error;
  const code = isProtocolError(e) ? e.code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  return (
    <div className="alert" role="alert" data-testid="error" data-code={code}>
      {message}
      {code && message !== CODE_TEXT[code] && <span className="muted"> — {CODE_TEXT[code]}</span>}
      {code && <code className="code">{code}</code>}
    </div>
  );
}

/** Totals per unit, e.g. "€12.50 · 3 RIDE". */
export const totalsText = (totals: Record<string, number>): string =>
  Object.entries(totals)
    .map(([unit, amount]) => formatAmount(amount, unit))
    .join(' · ') || '—';

export const timeText = (ms: number) =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
export const dateText = (ms: number) =>
  new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "3 min", "2 h", "4 days". */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** Download a text as a file (a closed bag, for delivery by hand). */
export function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
