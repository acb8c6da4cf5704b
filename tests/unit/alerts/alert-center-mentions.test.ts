import { describe, expect, it } from 'vitest';
import type { NoteMentionAlert } from '../../../src/main/alerts';
import { iso, setup } from './setup';

const mention = (extra: Partial<NoteMentionAlert> = {}): NoteMentionAlert => ({
  messageId: 'n-1',
  sessionId: 's-1',
  senderName: 'Rana',
  preview: '@Monitor please listen to the last voice note',
  ...extra,
});

describe('AlertCenter: mentions in internal notes', () => {
  it('shows one notification per note, with the writer and the note, and sounds', () => {
    const { center, platform } = setup({ preferences: { privacy: 'full', language: 'en' } });
    center.noteMentioned(mention());
    expect(platform.visibleNotifications()).toEqual([
      { id: 'note:n-1', title: `${iso('Rana')} mentioned you in an internal note`, body: '@Monitor please listen to the last voice note', urgency: 'normal', silent: true },
    ]);
    expect(platform.recordsOf('sound')).toHaveLength(1);
  });

  it('rings even while the session is on screen (a mention asks for this user by name), once per note', () => {
    const { center, platform, visibleSessions } = setup({ focused: true });
    visibleSessions.add('s-1');
    center.noteMentioned(mention());
    center.noteMentioned(mention());
    expect(platform.recordsOf('notification.show')).toHaveLength(1);
  });

  it('follows the privacy level and the language', () => {
    const sender = setup({ preferences: { privacy: 'sender', language: 'ar' } });
    sender.center.noteMentioned(mention());
    expect(sender.platform.notification('note:n-1')).toMatchObject({ title: `أشار إليك ${iso('Rana')} في ملاحظة داخلية`, body: 'افتح الوحدة لقراءتها.' });
    const count = setup({ preferences: { privacy: 'count', language: 'en' } });
    count.center.noteMentioned(mention());
    expect(count.platform.notification('note:n-1')).toMatchObject({ title: 'SAMIA TAROT', body: 'Open the console to read it.' });
  });

  it('is silenced by do-not-disturb', () => {
    const { center, platform } = setup({ preferences: { doNotDisturb: true } });
    center.noteMentioned(mention());
    expect(platform.recordsOf('notification.show')).toHaveLength(0);
  });

  it('opens the note when clicked', () => {
    const { center, platform } = setup();
    center.noteMentioned(mention());
    platform.click('note:n-1');
    expect(platform.recordsOf('renderer').map((r) => r.payload)).toContainEqual({ kind: 'note', sessionId: 's-1', messageId: 'n-1' });
  });

  it('refuses a mention without ids, clearly', () => {
    const { center } = setup();
    expect(() => center.noteMentioned(mention({ messageId: '' }))).toThrow(/mention messageId/);
  });
});
