// One format for times and numbers in every app, in the browser's language (Intl). Protocol times are whole
// seconds; a ticket's or challenge's `expires` is the FIRST second at which it is dead, so what a person
// reads as "valid until" is the second before it (the issuer and the wallet once disagreed by a day on this).

const dateTime: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

/** A moment, in milliseconds: "Mar 1, 2027, 11:59 PM". */
export const formatMoment = (ms: number, locale?: string): string =>
  new Date(ms).toLocaleString(locale, dateTime);

/** A protocol time, in seconds: "Mar 1, 2027, 11:59 PM". */
export const formatTime = (seconds: number, locale?: string): string => formatMoment(seconds * 1000, locale);

/** The day of a protocol time: "Mar 1, 2027". */
export const formatDay = (seconds: number, locale?: string): string =>
  new Date(seconds * 1000).toLocaleDateString(locale, { dateStyle: 'medium' });

/** The time of day only (today's lists): "14:05". */
export const formatClock = (ms: number, locale?: string): string =>
  new Date(ms).toLocaleTimeString(locale, { timeStyle: 'short' });

/** The last valid moment of something that `expires` (seconds): the one text for "valid until". */
export const validUntil = (expires: number, locale?: string): string => formatTime(expires - 1, locale);

/** A count: "1,234". */
export const formatNumber = (n: number, locale?: string): string => new Intl.NumberFormat(locale).format(n);

/** A span of seconds for people: "40 s", "5 min", "3 h", "4 days" (units the browser's language names). */
export function formatSpan(seconds: number, locale?: string): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (value: number, u: 'second' | 'minute' | 'hour' | 'day') =>
    new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: u,
      unitDisplay: u === 'day' ? 'long' : 'short',
    }).format(value);
  if (s < 120) return unit(s, 'second');
  if (s < 2 * 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 2 * 86_400) return unit(Math.floor(s / 3600), 'hour');
  return unit(Math.floor(s / 86_400), 'day');
}
