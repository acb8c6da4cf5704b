// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, fireEvent, waitFor } from '@testing-library/react';
import { ar } from '../../../src/renderer/i18n/ar';
import { en } from '../../../src/renderer/i18n/en';
import { createI18n, I18nProvider } from '../../../src/renderer/i18n/i18n';
import { SignInScreen } from '../../../src/renderer/screens/SignInScreen';
import { LanguageSwitch } from '../../../src/renderer/screens/LanguageSwitch';
import { createConsoleClient } from '../../../src/renderer/bridge/console-client';
import type { SamiaBridge } from '../../../src/shared/ipc/bridge-api';

afterEach(cleanup);

describe('translations', () => {
  it('has every English string in Arabic, and none left in English', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
    const untranslated = Object.entries(ar).filter(
      // A message of numbers and signs only ("{used} / {max}") reads the same in both languages.
      ([key, value]) => value === en[key as keyof typeof en] && !key.startsWith('app.language.') && /\p{L}/u.test(value.replace(/\{[^}]*\}/g, '')),
    );
    expect(untranslated).toEqual([]);
  });

  it('localizes numbers and translates typed errors', () => {
    const arabic = createI18n('ar', () => {});
    expect(arabic.dir).toBe('rtl');
    expect(arabic.formatNumber(1234)).toBe('١٬٢٣٤');
    expect(arabic.errorText({ code: 'ipc.invalid_input', messageKey: 'errors.ipc.invalid_input' })).toBe(ar['errors.ipc.invalid_input']);
    expect(createI18n('en', () => {}).errorText({ code: 'SA999', messageKey: 'no.such.key' })).toBe('Unexpected error (SA999).');
  });
});

// A bridge that answers from a table, standing in for the main process in component tests.
function tableBridge(answers: Record<string, unknown>): SamiaBridge {
  return {
    invoke: async (name) => answers[name] as never,
    on: () => () => {},
  };
}

describe('the sign-in screen', () => {
  it('shows the main process error in the user language and flips the layout to right-to-left', async () => {
    const client = createConsoleClient(
      tableBridge({ 'auth.signIn': { ok: false, error: { code: 'app.not_available', messageKey: 'errors.app.not_available' } } }),
    );
    render(
      <I18nProvider language="en">
        <LanguageSwitch />
        <SignInScreen client={client} backend="embedded" />
      </I18nProvider>,
    );
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'reader@samia.test' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(en['errors.app.not_available']));
    expect(document.documentElement.dir).toBe('ltr');

    fireEvent.change(screen.getByRole('combobox'), { target: { value: 'ar' } });
    await waitFor(() => expect(document.documentElement.dir).toBe('rtl'));
    expect(document.documentElement.lang).toBe('ar');
    expect(screen.getByRole('alert').textContent).toBe(ar['errors.app.not_available']);
    expect(screen.getByRole('button', { name: ar['signIn.submit'] })).toBeTruthy();
  });
});
