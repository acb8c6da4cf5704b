// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { AuthState, Profile } from '../../../src/shared/ipc/contract';
import { App } from '../../../src/renderer/App';
import { I18nProvider, LANGUAGE_STORAGE_KEY, useI18n } from '../../../src/renderer/i18n/i18n';
import { Name } from '../../../src/renderer/i18n/Name';
import { fakeMain, ME } from './fake-main';

beforeEach(() => localStorage.clear());
afterEach(cleanup);

const signedIn = (profile: Profile): AuthState => ({ profile, backend: 'embedded', firstRun: false });

describe('the interface language', () => {
  it('is kept on this computer across restarts (before any sign-in)', async () => {
    const main = fakeMain({ 'auth.getState': () => ({ profile: null, backend: 'embedded', firstRun: false }) });
    const first = render(
      <I18nProvider>
        <App client={main.client} />
      </I18nProvider>,
    );
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.change(screen.getByRole('combobox', { name: 'Language' }), { target: { value: 'ar' } });
    await screen.findByRole('heading', { name: 'تسجيل الدخول' });
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('ar');
    // Nobody is signed in: nothing is written to a profile.
    expect(main.named('profile.setLanguage')).toEqual([]);
    first.unmount();

    // A "restart": a new provider reads the stored choice.
    render(
      <I18nProvider>
        <App client={fakeMain({ 'auth.getState': () => ({ profile: null, backend: 'embedded', firstRun: false }) }).client} />
      </I18nProvider>,
    );
    await screen.findByRole('heading', { name: 'تسجيل الدخول' });
    expect(document.documentElement.dir).toBe('rtl');
  });

  it("applies the account's preferred language at sign-in and saves the user's choice to the profile", async () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'en');
    const arabicReader: Profile = { ...ME, preferredLanguage: 'ar' };
    const main = fakeMain({
      'auth.getState': () => signedIn(arabicReader),
      'sessions.list': () => ({ sessions: [] }),
      'accounts.list': () => ({ people: [] }),
      'alerts.openEmergencies': () => ({ emergencies: [] }),
      'profile.setLanguage': ({ language }: { language: 'ar' | 'en' }) => ({ ...arabicReader, preferredLanguage: language }),
    });
    render(
      <I18nProvider>
        <App client={main.client} />
      </I18nProvider>,
    );
    // The heading isolates the Latin name in a <bdi>: its text still reads as one sentence.
    const heading = await screen.findByRole('heading', { name: 'تم تسجيل الدخول باسم Rana' });
    expect(heading.querySelector('bdi')?.textContent).toBe('Rana');
    expect(document.documentElement.lang).toBe('ar');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('ar');
    expect(main.named('profile.setLanguage')).toEqual([]);

    fireEvent.change(screen.getAllByRole('combobox', { name: 'اللغة' })[0]!, { target: { value: 'en' } });
    await screen.findByRole('heading', { name: 'Signed in as Rana' });
    await waitFor(() => expect(main.named('profile.setLanguage').map((c) => c.input)).toEqual([{ language: 'en' }]));
    // The main process words notifications in the same language.
    expect(main.named('alerts.setPreferences').map((c) => c.input)).toEqual([{ language: 'en' }]);
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('en');
  });
});

function Sentence({ name }: { name: string }) {
  const { tx } = useI18n();
  return <p data-testid="sentence">{tx('chat.typing', { name })}</p>;
}

describe('bidi isolation', () => {
  it('isolates every text argument of a sentence in a <bdi dir=auto>, in both languages', () => {
    for (const language of ['en', 'ar'] as const) {
      render(
        <I18nProvider language={language}>
          <Sentence name="Sara (VIP)" />
        </I18nProvider>,
      );
      const sentence = screen.getByTestId('sentence');
      const isolated = sentence.querySelector('bdi');
      expect(isolated?.getAttribute('dir')).toBe('auto');
      expect(isolated?.textContent).toBe('Sara (VIP)');
      expect(sentence.textContent).toBe(language === 'en' ? 'Sara (VIP) is typing…' : 'Sara (VIP) يكتب…');
      cleanup();
    }
  });

  it('marks clipped names so they are cut at their own end', () => {
    render(<Name clip>Sara Client with a very long family name</Name>);
    const name = screen.getByText('Sara Client with a very long family name');
    expect(name.tagName).toBe('BDI');
    expect(name.getAttribute('dir')).toBe('auto');
    expect(name.className).toBe('name name--clip');
  });
});
