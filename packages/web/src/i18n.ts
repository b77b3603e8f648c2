// Text in the browser's language: one catalog per app, English first and German second, both complete (the types
// refuse a German catalog that lacks a key). Numbers, dates and amounts already follow the browser (Intl).

export type Lang = 'en' | 'de';

/** The first of the browser's languages that has a catalog; English otherwise. */
export function pickLang(languages: readonly string[] = globalThis.navigator?.languages ?? []): Lang {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

/** `{name}` in a text, filled from `vars`. */
const fill = (text: string, vars?: Record<string, string | number>) =>
  vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;

/** A catalog in another language: every key of the English one, nothing else. */
export type Catalog<En> = { [K in keyof En]: string };

/** `t('key', {var})` in the language picked once; `t.catalogs` both catalogs (tests compare screens with them). */
export type Translator<K extends string> = ((key: K, vars?: Record<string, string | number>) => string) & {
  readonly catalogs: { en: Record<K, string>; de: Record<K, string> };
};

/** A translator over an app's catalogs. */
export function translator<K extends string>(
  catalogs: { en: Record<K, string>; de: Record<K, string> },
  lang: Lang = pickLang(),
): Translator<K> {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return Object.assign((key: K, vars?: Record<string, string | number>) => fill(catalogs[lang][key], vars), {
    catalogs,
  });
}
