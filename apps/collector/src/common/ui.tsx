// Small pieces both pages use: the login, a loader hook, errors, amounts.
import { formatAmount } from '@moneybag/protocol';
import { formatTime, SaidText, say } from '@moneybag/web';
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, call, tokenStore, UNAUTHORIZED } from './api.ts';
import { t } from './text.ts';

/** What a code means to a person, the code small beside it: "This ticket was already spent. E_OVERSPENT". */
export function CodeLabel({ code }: { code: string }) {
  return (
    <span className="code">
      {say({ code }).text} <code className="small">{code}</code>
    </span>
  );
}

/** Who a refusal blames, in words ("blame holder"). */
export const blameText = (party: string, key: 'blame' | 'blameBadge' = 'blame'): string =>
  t(key, {
    party: party === 'holder' ? t('blameHolder') : party === 'collector' ? t('blameCollector') : party,
  });

/** Any failure, shown with its protocol code when it has one (on a German page the service's sentence aside). */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const r = say(error);
  return (
    <div className="error" role="alert" data-code={r.code}>
      <SaidText said={r} />
    </div>
  );
}

/** Amounts per unit, each formatted for people. */
export function Totals({ totals }: { totals: Record<string, number> | undefined }) {
  const entries = Object.entries(totals ?? {}).filter(([, v]) => v !== 0);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="totals">
      {entries.map(([unit, amount]) => (
        <span key={unit} className="amount">
          {formatAmount(amount, unit)}
        </span>
      ))}
    </span>
  );
}

/** A column heading; `num`: a column of figures, aligned right. */
export type Column = string | { text: string; num: true };

/** A table under one row of headings (`testid` names it for tests). */
export function Table({
  columns,
  testid,
  children,
}: {
  columns: Column[];
  testid?: string;
  children: ReactNode;
}) {
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          {columns.map((c, i) =>
            typeof c === 'string' ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: the headings are fixed, in order
              <th key={i}>{c}</th>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: the headings are fixed, in order
              <th key={i} className="num">
                {c.text}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export const when = (seconds: number | undefined): string =>
  seconds === undefined || seconds === null ? '—' : formatTime(seconds);

export const short = (s: string, n = 12): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card">
      <header>
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Loads something with the token; `reload` after a change. Keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/** A version number that goes up on `bump()` and every `ms` while the tab is visible: lists reload on it. */
export function useVersion(ms = 15_000): [number, () => void] {
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && bump(), ms);
    return () => clearInterval(timer);
  }, [bump, ms]);
  return [version, bump];
}

/**
 * The page behind the operator token: asks for it, checks it with `probe`, keeps it in sessionStorage.
 * `children` gets the token and a way to log out.
 */
export function Operator({
  page,
  title,
  probe,
  children,
}: {
  page: string;
  title: string;
  probe: string;
  children: (token: string) => ReactNode;
}) {
  const store = tokenStore(page);
  const [token, setToken] = useState(store.get());
  // The tab's name in the page's language too.
  useEffect(() => {
    document.title = `Moneybag ${title}`;
  }, [title]);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const login = async (e: FormEvent) => {
    e.preventDefault();
    const t = typed.trim();
    if (!t) return;
    setBusy(true);
    setError(undefined);
    try {
      await call(probe, { token: t });
      store.set(t);
      setToken(t);
      setTyped('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const logout = () => {
    store.clear();
    setToken(null);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: `store` is derived from `page`
  useEffect(() => {
    const refused = (e: Event) => {
      if ((e as CustomEvent<string>).detail !== token) return;
      store.clear();
      setToken(null);
      setError(new ApiError(401, 'E_AUTH', t('tokenGone')));
    };
    window.addEventListener(UNAUTHORIZED, refused);
    return () => window.removeEventListener(UNAUTHORIZED, refused);
  }, [token, page]);

  return (
    <div className="page">
      <header className="top">
        <h1>{title}</h1>
        {token && (
          <button className="link" onClick={logout}>
            {t('logOut')}
          </button>
        )}
      </header>
      <main>
        {token ? (
          children(token)
        ) : (
          <form className="card login" onSubmit={login}>
            <label>
              {t('operatorToken')}
              <input
                type="password"
                name="token"
                autoComplete="off"
                autoFocus
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
            </label>
            <button type="submit" disabled={busy}>
              {t('logIn')}
            </button>
            <ErrorBox error={error} />
          </form>
        )}
      </main>
    </div>
  );
}
