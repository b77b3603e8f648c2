// Pay online through a collector (3.5), the encrypted backup and its restore, what the key is.
import { formatAmount, keyFingerprint, parseAmount, toHex } from '@moneybag/protocol';
import { useEffect, useState } from 'react';
import type { ScreenProps } from './App.tsx';
import { makeBackup, openBackup, restoreBackup } from './backup.ts';
import { heldKind, KEY_KINDS } from './keys.ts';
import { type DB, listParties, type PartyRecord } from './store.ts';
import { t } from './text.ts';
import { Alert } from './ui.tsx';
import { balances, payDirect, sendDirect } from './wallet.ts';

export function More(p: ScreenProps) {
  const { wallet, go, notices } = p;
  const [persisted, setPersisted] = useState<boolean>();
  useEffect(() => {
    navigator.storage?.persisted?.().then(setPersisted, () => {});
  }, []);
  return (
    <>
      <header className="bar">
        <h1>{t('more')}</h1>
        <button onClick={() => go({ name: 'home' })}>{t('back')}</button>
      </header>
      <main>
        {notices}
        <PayOnline {...p} />
        <BackupForm db={wallet.db} portable={wallet.key.kind === 'portable'} />
        <section className="card">
          <h3>{t('restoreTitle')}</h3>
          <RestoreForm db={wallet.db} onDone={p.reload} />
        </section>
        <section className="card">
          <h3>{t('thisWallet')}</h3>
          <p data-testid="key-kind" data-kind={heldKind(wallet.key)}>
            <strong>{KEY_KINDS[heldKind(wallet.key)].title}</strong>
            <br />
            <span className="muted">{KEY_KINDS[heldKind(wallet.key)].text}</span>
          </p>
          <p className="muted mono">{t('keyHex', { key: toHex(wallet.key.publicKey) })}</p>
          <TrustedIssuers db={wallet.db} />
          <p className="muted">
            {t('storage')}{' '}
            {persisted === undefined ? '…' : persisted ? t('storageKept') : t('storageMayClear')}
          </p>
        </section>
      </main>
      <footer className="actions">
        <button className="primary" onClick={() => go({ name: 'home' })}>
          {t('done')}
        </button>
      </footer>
    </>
  );
}

function PayOnline({ wallet, setNotice, reload }: ScreenProps) {
  const [collectors, setCollectors] = useState<PartyRecord[]>([]);
  const units = [...new Set(balances(wallet.tickets).map((b) => b.unit))];
  // What the person picked, else the first choice shown: both lists may arrive after the form is drawn,
  // and a select shows its first option even when nothing was picked.
  const [picked, setPicked] = useState({ collector: '', unit: '' });
  const collector = picked.collector || collectors[0]?.id || '';
  const unit = picked.unit || units[0] || '';
  const [shop, setShop] = useState('');
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    listParties(wallet.db, 'collectors').then(setCollectors);
  }, [wallet.db]);
  const value = parseAmount(amount, unit);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (value === undefined) return setError(new Error(t('enterAmount')));
    setBusy(true);
    try {
      const record = await payDirect(wallet.db, wallet.signer, {
        collector,
        shop: shop.trim(),
        unit,
        amount: value,
      });
      await reload();
      await sendDirect(wallet.db, record);
      setNotice({ ok: t('paidOnline', { shop }) });
      setAmount('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
    await reload();
  };
  return (
    <form className="card field" onSubmit={submit} data-testid="pay-online">
      <h3>{t('payOnlineTitle')}</h3>
      <p className="muted">{t('payOnlineHint')}</p>
      <label className="muted">
        {t('collector')}
        <select value={collector} onChange={(e) => setPicked({ ...picked, collector: e.target.value })}>
          {collectors.map((c) => (
            <option key={c.id}>{c.id}</option>
          ))}
        </select>
      </label>
      <label className="muted">
        {t('shopId')}
        <input type="text" value={shop} onChange={(e) => setShop(e.target.value)} placeholder="acme-coffee" />
      </label>
      <div style={{ display: 'flex', gap: '0.5rem' }}>
        <label className="muted" style={{ flex: 2 }}>
          {t('amount')}
          <input type="text" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
        </label>
        <label className="muted" style={{ flex: 1 }}>
          {t('unit')}
          <select value={unit} onChange={(e) => setPicked({ ...picked, unit: e.target.value })}>
            {units.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
      </div>
      {error !== undefined && <Alert error={error} />}
      <button
        className="primary big"
        type="submit"
        disabled={busy || !collector || !shop.trim() || !unit || !amount}
      >
        {value !== undefined && unit
          ? t('payOnlineAmount', { amount: formatAmount(value, unit) })
          : t('payOnline')}
      </button>
    </form>
  );
}

function BackupForm({ db, portable }: { db: DB; portable: boolean }) {
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (pass !== again) return setError(new Error(t('passDiffer')));
    setBusy(true);
    try {
      const file = await makeBackup(db, pass);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
      a.download = `moneybag-wallet-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setDone(true);
      setPass('');
      setAgain('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <form className="card field" onSubmit={submit}>
      <h3>{t('backupTitle')}</h3>
      <p className="muted">{t(portable ? 'backupPortable' : 'backupDevice')}</p>
      <input
        type="password"
        placeholder={t('passNew')}
        value={pass}
        onChange={(e) => setPass(e.target.value)}
        autoComplete="new-password"
      />
      <input
        type="password"
        placeholder={t('passAgain')}
        value={again}
        onChange={(e) => setAgain(e.target.value)}
        autoComplete="new-password"
      />
      {error !== undefined && <Alert error={error} />}
      {done && <div className="ok">{t('backupSaved')}</div>}
      <button className="secondary big" type="submit" disabled={busy || !pass}>
        {busy ? t('encrypting') : t('saveBackup')}
      </button>
    </form>
  );
}

export function RestoreForm({ db, onDone }: { db: DB; onDone(): void }) {
  const [file, setFile] = useState<File>();
  const [pass, setPass] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(undefined);
    setBusy(true);
    try {
      await restoreBackup(db, await openBackup(await file.text(), pass));
      setDone(true);
      onDone();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <form className="field" onSubmit={submit}>
      <label className="field">
        {t('backupFile')}
        <input type="file" accept="application/json,.json" onChange={(e) => setFile(e.target.files?.[0])} />
      </label>
      <label className="field">
        {t('itsPass')}
        <input
          type="password"
          placeholder={t('passphrase')}
          value={pass}
          onChange={(e) => setPass(e.target.value)}
        />
      </label>
      <div className="note">{t('restoreWarning')}</div>
      <label style={{ display: 'flex', gap: '0.5rem', alignItems: 'center' }}>
        <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />{' '}
        {t('understand')}
      </label>
      {error !== undefined && <Alert error={error} />}
      {done && <div className="ok">{t('restored')}</div>}
      <button className="secondary big" type="submit" disabled={busy || !file || !pass || !understood}>
        {busy ? t('decrypting') : t('restore')}
      </button>
    </form>
  );
}

/** The issuers whose tickets this wallet takes (from its service's well-known), with their keys' fingerprints. */
function TrustedIssuers({ db }: { db: DB }) {
  const [issuers, setIssuers] = useState<PartyRecord[]>([]);
  useEffect(() => {
    listParties(db, 'issuers').then(setIssuers, () => {});
  }, [db]);
  return (
    <div data-testid="trusted-issuers">
      <p className="muted">{t('issuersTrusted')}</p>
      <ul className="muted">
        {issuers.map((i) => (
          <li key={i.id}>
            {i.id} <span className="mono">{keyFingerprint(i.publicKey)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
