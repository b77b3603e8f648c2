// The one way a failure is shown: on a German screen the service's English sentence only on a details line.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SaidText, say } from '../src/index.ts';

const shown = (e: unknown) => renderToStaticMarkup(createElement(SaidText, { said: say(e) }));
const refused = { code: 'E_BAG_REUSED', message: 'bag root 1f2e already handed in by deli' };

describe('SaidText', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('English: the words, the service’s sentence beside them and the code, no details line', () => {
    vi.stubGlobal('navigator', { languages: ['en-US'] });
    const html = shown(refused);
    expect(html).toContain('This bag number was already handed in.');
    expect(html).toContain('<span class="muted"> — bag root 1f2e already handed in by deli</span>');
    expect(html).toContain('<code class="code small">E_BAG_REUSED</code>');
    expect(html).not.toContain('<details');
  });

  it('German: the German words and the code; the English sentence only inside a closed details line', () => {
    vi.stubGlobal('navigator', { languages: ['de-DE'] });
    const html = shown(refused);
    expect(html).toContain('Diese Geldbeutel-Nummer wurde schon abgegeben.');
    expect(html).toContain('<code class="code small">E_BAG_REUSED</code>');
    const [before, details] = html.split('<details');
    expect(before).not.toContain('already handed in');
    expect(details).toBe(
      ' class="small muted" data-testid="error-detail"><summary>Einzelheiten</summary>bag root 1f2e already handed in by deli</details>',
    );
  });

  it('German, a code without German words: the service’s sentence is the text, nothing aside', () => {
    vi.stubGlobal('navigator', { languages: ['de-DE'] });
    const html = shown({ code: 'E_NEW_THING', message: 'something new' });
    expect(html).toBe('something new<code class="code small">E_NEW_THING</code>');
  });
});
