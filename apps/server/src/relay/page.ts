// The relay's small page (`/relay/`, the operator's token): its children, what each holds and delivered, the
// roots open, waiting and forwarded, and each forwarded bag's answer. It reads GET /v1/admin/relay (its body:
// `RelayState` in @moneybag/api; plain JS in the page, so the fields it reads are named here by hand).
// Like the apps: words in the browser's language (English, German: the first of navigator.languages that has
// them, as pickLang), dates by Intl with the apps' own options (DATE_FORMATS of @moneybag/web).
// (the format module alone: the package's index holds React components the service must not load)
import { DATE_FORMATS } from '@moneybag/web/format';

/** The page's words; `{name}` is filled in. A text holding markup is only ever filled with escaped values. */
const EN = {
  title: 'Relay',
  token: 'Operator token',
  open: 'Open',
  tokenWhere: 'In <code>DIR/keys/operator.token</code> of this relay.',
  head: 'Parent <code>{upstream}</code> · this relay is <b>{shop}</b> there',
  children: 'Children',
  terminal: 'terminal',
  shop: 'shop',
  label: 'label',
  holds: 'holds',
  delivered: 'delivered',
  own: '(own)',
  revoked: 'revoked',
  late: 'Late bags (refused E_BAG_LATE)',
  roots: 'Roots',
  root: 'root',
  due: 'due',
  state: 'state',
  merged: 'merged bag',
  answer: 'answer',
  attempts: '{n} attempts',
  answered: '{accepted} accepted, {rejected} rejected',
  deal: 'deal',
  'state.open': 'open',
  'state.merged': 'waiting (to be sent)',
  'state.forwarded': 'forwarded',
  'state.answered': 'answered',
  'state.refused': 'refused',
  'state.empty': 'closed empty',
};
const DE: Record<keyof typeof EN, string> = {
  title: 'Relay',
  token: 'Betreiber-Token',
  open: 'Öffnen',
  tokenWhere: 'In <code>DIR/keys/operator.token</code> dieses Relays.',
  head: 'Übergeordnet <code>{upstream}</code> · dieses Relay ist dort <b>{shop}</b>',
  children: 'Angeschlossene',
  terminal: 'Terminal',
  shop: 'Geschäft',
  label: 'Name',
  holds: 'hält',
  delivered: 'abgegeben',
  own: '(eigenes)',
  revoked: 'gesperrt',
  late: 'Verspätete Geldbeutel (abgelehnt E_BAG_LATE)',
  roots: 'Wurzeln',
  root: 'Wurzel',
  due: 'fällig',
  state: 'Stand',
  merged: 'zusammengeführter Geldbeutel',
  answer: 'Antwort',
  attempts: '{n} Versuche',
  answered: '{accepted} angenommen, {rejected} abgelehnt',
  deal: 'Vorgang',
  'state.open': 'offen',
  'state.merged': 'wartet (wird gesendet)',
  'state.forwarded': 'weitergeleitet',
  'state.answered': 'beantwortet',
  'state.refused': 'abgelehnt',
  'state.empty': 'leer geschlossen',
};
export const RELAY_WORDS = { en: EN, de: DE };

export const RELAY_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title data-t="title">${EN.title}</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem }
 table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem } td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #ddd }
 code { font-size: .85em } .bad { color: #a00 } .muted { color: #666 }
</style></head>
<body>
<h1 data-t="title">${EN.title}</h1>
<form id="login"><label><span data-t="token">${EN.token}</span> <input id="token" type="password" size="44" autocomplete="off"></label> <button data-t="open">${EN.open}</button>
<div class="muted" data-t="tokenWhere">${EN.tokenWhere}</div></form>
<p id="error" class="bad"></p>
<div id="view" hidden>
<p id="head"></p>
<h2 data-t="children">${EN.children}</h2>
<table><thead><tr><th data-t="terminal">${EN.terminal}</th><th data-t="shop">${EN.shop}</th><th data-t="label">${EN.label}</th><th data-t="holds">${EN.holds}</th><th data-t="delivered">${EN.delivered}</th><th></th></tr></thead><tbody id="children"></tbody></table>
<div id="late"></div>
<h2 data-t="roots">${EN.roots}</h2>
<table><thead><tr><th data-t="root">${EN.root}</th><th data-t="due">${EN.due}</th><th data-t="state">${EN.state}</th><th data-t="merged">${EN.merged}</th><th data-t="answer">${EN.answer}</th></tr></thead><tbody id="roots"></tbody></table>
</div>
<script type="module" src="page.js"></script>
</body></html>`;

/** The page's script, its own file: the service's Content-Security-Policy runs no inline script. */
export const RELAY_SCRIPT = `const WORDS = ${JSON.stringify(RELAY_WORDS)};
const lang = (navigator.languages || [navigator.language]).map((l) => String(l).toLowerCase().split('-')[0]).find((l) => l in WORDS) || 'en';
document.documentElement.lang = lang;
const t = (key, vars) => (WORDS[lang][key] ?? WORDS.en[key]).replace(/\\{(\\w+)\\}/g, (m, k) => (vars && k in vars ? vars[k] : m));
for (const e of document.querySelectorAll('[data-t]')) e.innerHTML = t(e.dataset.t);
const moment = new Intl.DateTimeFormat(undefined, ${JSON.stringify(DATE_FORMATS.moment)});
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const totals = (sums) => Object.entries(sums || {}).map(([u, a]) => esc(a) + ' ' + esc(u)).join(', ') || '—';
async function load() {
  const token = sessionStorage.getItem('relay-token');
  if (!token) return;
  const res = await fetch('/v1/admin/relay', { headers: { authorization: 'Bearer ' + token } });
  const body = await res.json();
  if (!res.ok) { $('error').textContent = body.message || res.status; $('view').hidden = true; return; }
  $('error').textContent = '';
  $('view').hidden = false;
  $('head').innerHTML = t('head', { upstream: esc(body.upstream), shop: esc(body.shop ?? '?') });
  $('children').innerHTML = body.children.map((c) => '<tr><td>' + esc(c.terminal) + '</td><td>' + esc(c.shop ?? t('own')) + '</td><td>' + esc(c.label) + '</td><td>' + esc(c.holds) + '</td><td>' + esc(c.delivered) + '</td><td>' + (c.revoked_at ? esc(t('revoked')) : '') + '</td></tr>').join('');
  $('late').innerHTML = body.late.length ? '<h2>' + esc(t('late')) + '</h2><ul>' + body.late.map((l) => '<li class="bad">' + esc(l.terminal) + ' · ' + esc(t('root')) + ' <code>' + esc(l.root.slice(0, 10)) + '…</code> · ' + esc(moment.format(l.at)) + '</li>').join('') + '</ul>' : '';
  $('roots').innerHTML = body.roots.map((r) => {
    const a = r.answer;
    const answer = !a ? (r.lastError ? '<span class="bad">' + esc(r.lastError) + ' (' + esc(t('attempts', { n: r.attempts })) + ')</span>' : '')
      : a.code ? '<span class="bad">' + esc(a.code) + '</span> ' + esc(a.message)
      : esc(t('answered', { accepted: a.accepted, rejected: a.rejected.length })) + ' · ' + totals(a.totals)
        + a.rejected.map((x) => '<div class="bad small">' + esc(x.path.map((p) => p.join('/')).join(' › ') || t('root')) + ' #' + esc(x.index) + ' (' + esc(t('deal')) + ' ' + esc(x.deal) + '): ' + esc(x.code) + '</div>').join('');
    const state = WORDS.en['state.' + r.state] ? t('state.' + r.state) : r.state;
    return '<tr><td><code>' + esc(r.root.slice(0, 10)) + '…</code></td><td>' + esc(moment.format(r.due * 1000)) + '</td><td>' + esc(state) + '</td><td><code>' + esc((r.merged || '').slice(0, 12)) + '</code></td><td>' + answer + '</td></tr>';
  }).join('');
}
$('login').addEventListener('submit', (e) => { e.preventDefault(); sessionStorage.setItem('relay-token', $('token').value.trim()); load(); });
load();
setInterval(load, 5000);
`;
