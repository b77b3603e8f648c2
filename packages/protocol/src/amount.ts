// Amounts are integers in the unit's smallest part everywhere; only display turns them into text.

/** Digits of the minor unit: ISO 4217 for a currency (EUR 2, JPY 0), 0 for a count such as ADMIT. */
export function unitDigits(unit: string): number {
  if (!/^[A-Z]{3}$/.test(unit)) return 0;
  try {
    return numberFormat('en', unit).resolvedOptions().maximumFractionDigits as number;
  } catch {
    return 0;
  }
}

let currencies: ReadonlySet<string> | undefined;
const isCurrency = (unit: string) => {
  if (!/^[A-Z]{3}$/.test(unit)) return false;
  try {
    currencies ??= new Set(Intl.supportedValuesOf('currency'));
    return currencies.has(unit);
  } catch {
    return true;
  }
};

// Building an Intl.NumberFormat costs far more than formatting with one (a list of 500 tickets spent most of
// its render here): one per language and unit, kept.
const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string | undefined, currency?: string): Intl.NumberFormat {
  const key = `${locale ?? ''} ${currency ?? ''}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, currency ? { style: 'currency', currency } : undefined);
    formats.set(key, f);
  }
  return f;
}

/** An amount for people: "€4.50", "3 RIDE". */
export function formatAmount(amount: number, unit: string, locale?: string): string {
  if (isCurrency(unit)) {
    const digits = unitDigits(unit);
    return numberFormat(locale, unit).format(amount / 10 ** digits);
  }
  return `${numberFormat(locale).format(amount)} ${unit}`;
}

/** Parse what a person typed ("4.50", "4,5", "3") into the unit's smallest part; undefined if it is not an amount. */
export function parseAmount(text: string, unit: string): number | undefined {
  const digits = isCurrency(unit) ? unitDigits(unit) : 0;
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  if (frac.length > digits) return undefined;
  const v = Number(m[1]) * 10 ** digits + Number(frac.padEnd(digits, '0') || 0);
  return Number.isSafeInteger(v) ? v : undefined;
}
