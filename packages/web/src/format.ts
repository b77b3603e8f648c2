// One format for times and numbers in every app, in the browser's language (Intl). Protocol times are whole
// seconds; a ticket's or challenge's `expires` is the FIRST second at which it is dead, so what a person
// reads as "valid until" is the second before it (the issuer and the wallet once disagreed by a day on this).

// toLocaleString with options builds a formatter at every call, which costs far more than formatting (a list
// of 500 tickets spent most of its render there): one formatter per language and style, kept.
const kept = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function keep<F extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => F): F {
  let f = kept.get(key) as F | undefined;
  if (!f) {
    f = make();
    kept.set(key, f);
  }
  return f;
}
const dates = (locale: string | undefined, style: string, options: Intl.DateTimeFormatOptions) => ({
  // A formatter throws on an invalid time where toLocaleString said "Invalid Date": said the same still.
  format: (ms: number) =>
    Number.isFinite(ms)
      ? keep(`d ${locale ?? ''} ${style}`, () => new Intl.DateTimeFormat(locale, options)).format(ms)
      : String(new Date(Number.NaN)),
});

/**
 * The options of each date format, also for a page not built from this package (the relay's page, plain JS
 * served by the service, passes them to its own Intl.DateTimeFormat).
 */
export const DATE_FORMATS = {
  moment: { dateStyle: 'medium', timeStyle: 'short' },
  day: { dateStyle: 'medium' },
  clock: { timeStyle: 'short' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

/** A moment, in milliseconds: "Mar 1, 2027, 11:59 PM". */
export const formatMoment = (ms: number, locale?: string): string =>
  dates(locale, 'moment', DATE_FORMATS.moment).format(ms);

/** A protocol time, in seconds: "Mar 1, 2027, 11:59 PM". */
export const formatTime = (seconds: number, locale?: string): string => formatMoment(seconds * 1000, locale);

/** The day of a protocol time: "Mar 1, 2027". */
export const formatDay = (seconds: number, locale?: string): string =>
  dates(locale, 'day', DATE_FORMATS.day).format(seconds * 1000);

/** The time of day only (today's lists): "14:05". */
export const formatClock = (ms: number, locale?: string): string =>
  dates(locale, 'clock', DATE_FORMATS.clock).format(ms);

/** The last valid moment of something that `expires` (seconds): the one text for "valid until". */
export const validUntil = (expires: number, locale?: string): string => formatTime(expires - 1, locale);

/** A count: "1,234". */
export const formatNumber = (n: number, locale?: string): string =>
  keep(`n ${locale ?? ''}`, () => new Intl.NumberFormat(locale)).format(n);

/** A span of seconds for people: "40 s", "5 min", "3 h", "4 days" (units the browser's language names). */
export function formatSpan(seconds: number, locale?: string): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (value: number, u: 'second' | 'minute' | 'hour' | 'day') =>
    keep(
      `n ${locale ?? ''} ${u}`,
      () =>
        new Intl.NumberFormat(locale, {
          style: 'unit',
          unit: u,
          unitDisplay: u === 'day' ? 'long' : 'short',
        }),
    ).format(value);
  if (s < 120) return unit(s, 'second');
  if (s < 2 * 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 2 * 86_400) return unit(Math.floor(s / 3600), 'hour');
  return unit(Math.floor(s / 86_400), 'day');
}
