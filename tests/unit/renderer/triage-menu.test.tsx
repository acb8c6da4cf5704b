// @vitest-environment jsdom
import { afterEach, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { TriageMenu } from '../../../src/renderer/workspace/TriageMenu';
import { fakeMain, S, wrap } from './fake-main';

afterEach(cleanup);

const OTHER = '00000000-0000-4000-8000-0000000000a2';
const NOW = Date.parse('2026-01-01T12:00:00Z');

it('closes its menu and drops its error when the row it sits in starts showing another session, keeping its button', async () => {
  const { client } = fakeMain({
    'triage.mute': () => {
      throw { code: 'backend_unavailable', message: 'down' };
    },
  });
  const { rerender } = wrap(<TriageMenu client={client} sessionId={S} title="Sara" triage={undefined} now={NOW} />);
  const button = screen.getByTestId('triage-menu-button');
  fireEvent.click(button);
  await act(async () => fireEvent.click(screen.getByRole('menuitem', { name: /mute/i })));
  expect(screen.getByRole('alert').dataset.errorCode).toBe('backend_unavailable');

  // The list hands this row on to another session (OrderedList): the same elements, nothing of the first session's.
  rerender(<TriageMenu client={client} sessionId={OTHER} title="Omar" triage={undefined} now={NOW} />);
  expect(screen.getByTestId('triage-menu-button')).toBe(button);
  expect(button.getAttribute('aria-expanded')).toBe('false');
  expect(button.getAttribute('aria-label')).toMatch(/Omar/);
  expect(screen.queryByRole('menu')).toBeNull();
  expect(screen.queryByRole('alert')).toBeNull();
});

it('does not show on another session an action that was still running for the previous one', async () => {
  let fail!: (error: unknown) => void;
  const { client } = fakeMain({ 'triage.mute': () => new Promise((_, reject) => (fail = reject)) });
  const { rerender } = wrap(<TriageMenu client={client} sessionId={S} title="Sara" triage={undefined} now={NOW} />);
  fireEvent.click(screen.getByTestId('triage-menu-button'));
  fireEvent.click(screen.getByRole('menuitem', { name: /mute/i }));
  rerender(<TriageMenu client={client} sessionId={OTHER} title="Omar" triage={undefined} now={NOW} />);
  await act(async () => fail({ code: 'backend_unavailable', message: 'down' }));
  expect(screen.queryByRole('alert')).toBeNull();
  expect(screen.queryByRole('menu')).toBeNull();
});
