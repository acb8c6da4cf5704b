import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_PREFERENCES } from '../../../src/main/alerts';
import { iso, message, setup } from './setup';

describe('AlertCenter: new-message notifications', () => {
  describe('when to notify', () => {
    it('notifies when the window is not focused, even for the open session', () => {
      const { center, platform, visibleSessions } = setup({ focused: false });
      visibleSessions.add('s-1');
      center.messageReceived(message());
      expect(platform.visibleNotifications()).toEqual([
        // The OS stays silent: the console plays the chosen sound itself, at the chosen volume.
        { id: 'message:s-1', title: iso('Layla'), body: 'Hello, are you there?', urgency: 'normal', silent: true },
      ]);
      expect(platform.recordsOf('sound').map(({ sound, volume }) => ({ sound, volume }))).toEqual([{ sound: 'chime', volume: 80 }]);
    });

    it('stays quiet when the window is focused on that very session', () => {
      const { center, platform, visibleSessions } = setup({ focused: true });
      visibleSessions.add('s-1');
      center.messageReceived(message());
      expect(platform.recordsOf('notification.show')).toHaveLength(0);
    });

    it('notifies a focused window about a session that is not the open one', () => {
      const { center, platform, visibleSessions } = setup({ focused: true });
      visibleSessions.add('s-1');
      center.messageReceived(message({ sessionId: 's-2', senderName: 'Sara' }));
      expect(platform.visibleNotifications().map((n) => n.id)).toEqual(['message:s-2']);
    });

    it('follows focus as it changes', () => {
      const { center, platform, visibleSessions } = setup({ focused: true });
      visibleSessions.add('s-1');
      center.messageReceived(message());
      platform.setWindowFocused(false);
      center.messageReceived(message());
      expect(platform.recordsOf('notification.show')).toHaveLength(1);
    });

    it('ignores emergency-type messages (emergencies alert through emergencyUpdated)', () => {
      const { center, platform } = setup();
      center.messageReceived(message({ type: 'emergency', body: null }));
      expect(platform.records).toEqual([expect.objectContaining({ kind: 'badge', count: 0 })]);
    });

    it('counts a message delivered twice (realtime and refetch) once', () => {
      const { center, platform, clock } = setup({ preferences: { privacy: 'sender' } });
      const first = message();
      center.messageReceived(first);
      clock.advance(10_000);
      center.messageReceived({ ...first });
      expect(platform.recordsOf('notification.show')).toHaveLength(1);
      center.messageReceived(message());
      expect(platform.notification('message:s-1')?.title).toBe(`2 new messages from ${iso('Layla')}`);
    });
  });

  describe('privacy level "full": sender and preview', () => {
    it('shows text in English, cleaned and shortened', () => {
      const { center, platform } = setup({ preferences: { privacy: 'full', language: 'en' } });
      center.messageReceived(message({ body: `  line one\n\tline two ${'x'.repeat(200)}` }));
      const shown = platform.notification('message:s-1');
      expect(shown?.title).toBe(iso('Layla'));
      expect(shown?.body.startsWith('line one line two xxx')).toBe(true);
      expect(Array.from(shown?.body ?? '')).toHaveLength(120);
      expect(shown?.body.endsWith('…')).toBe(true);
    });

    it.each([
      ['en', { type: 'audio', body: null, durationMs: 42_000 }, 'Voice note (0:42)'],
      ['en', { type: 'audio', body: null }, 'Voice note'],
      ['en', { type: 'image', body: null }, 'Photo'],
      ['en', { type: 'file', body: 'contract.pdf' }, 'File'],
      ['en', { type: 'text', body: '   ' }, 'Message'],
      ['ar', { type: 'text', body: 'مرحبا، هل أنت هنا؟' }, 'مرحبا، هل أنت هنا؟'],
      ['ar', { type: 'audio', body: null, durationMs: 65_000 }, 'رسالة صوتية (1:05)'],
      ['ar', { type: 'audio', body: null }, 'رسالة صوتية'],
      ['ar', { type: 'image', body: null }, 'صورة'],
      ['ar', { type: 'file', body: null }, 'ملف'],
    ] as const)('%s: %o reads "%s"', (language, overrides, body) => {
      const { center, platform } = setup({ preferences: { privacy: 'full', language } });
      center.messageReceived(message(overrides));
      expect(platform.notification('message:s-1')?.body).toBe(body);
    });

    it('puts the count in the title when several messages wait, in both languages', () => {
      for (const [language, expected] of [
        ['en', `${iso('Layla')} (3 new messages)`],
        ['ar', `${iso('Layla')} (3 رسائل جديدة)`],
      ] as const) {
        const { center, platform, clock } = setup({ preferences: { language } });
        for (let i = 0; i < 3; i++) center.messageReceived(message({ body: `part ${i}` }));
        clock.advance(5_000);
        expect(platform.notification('message:s-1')).toMatchObject({ title: expected, body: 'part 2' });
      }
    });

    it('names system messages after the app and unnamed senders generically', () => {
      const { center, platform } = setup({ preferences: { language: 'ar' } });
      center.messageReceived(message({ sessionId: 's-1', type: 'system', senderName: null, body: 'انتهت الجلسة' }));
      center.messageReceived(message({ sessionId: 's-2', senderName: '  ' }));
      expect(platform.notification('message:s-1')?.title).toBe(iso('SAMIA TAROT'));
      expect(platform.notification('message:s-2')?.title).toBe(iso('شخص ما'));
    });
  });

  describe('privacy level "sender": sender only', () => {
    it.each([
      ['en', 1, `New message from ${iso('Layla')}`, 'Open the console to read.'],
      ['en', 4, `4 new messages from ${iso('Layla')}`, 'Open the console to read.'],
      ['ar', 1, `رسالة جديدة من ${iso('Layla')}`, 'افتح وحدة التحكم للقراءة.'],
      ['ar', 2, `رسالتان جديدتان من ${iso('Layla')}`, 'افتح وحدة التحكم للقراءة.'],
      ['ar', 4, `4 رسائل جديدة من ${iso('Layla')}`, 'افتح وحدة التحكم للقراءة.'],
      ['ar', 11, `11 رسالة جديدة من ${iso('Layla')}`, 'افتح وحدة التحكم للقراءة.'],
    ] as const)('%s, %i message(s)', (language, count, title, body) => {
      const { center, platform, clock } = setup({ preferences: { privacy: 'sender', language } });
      for (let i = 0; i < count; i++) center.messageReceived(message({ body: 'secret reading details' }));
      clock.advance(5_000);
      const shown = platform.visibleNotifications();
      expect(shown).toEqual([{ id: 'message:s-1', title, body, urgency: 'normal', silent: true }]);
      expect(platform.recordsOf('sound')).toHaveLength(1);
      const everything = JSON.stringify(platform.records);
      expect(everything).not.toContain('secret');
    });
  });

  describe('privacy level "count": a number, no names', () => {
    it.each([
      ['en', 'SAMIA TAROT', '3 new messages'],
      ['ar', 'SAMIA TAROT', '3 رسائل جديدة'],
    ] as const)('%s: one notification for all sessions', (language, title, body) => {
      const { center, platform, clock } = setup({ preferences: { privacy: 'count', language } });
      center.messageReceived(message({ sessionId: 's-1', senderName: 'Layla' }));
      center.messageReceived(message({ sessionId: 's-2', senderName: 'Sara' }));
      center.messageReceived(message({ sessionId: 's-3', senderName: 'Nour', type: 'audio', body: null }));
      clock.advance(5_000);
      expect(platform.visibleNotifications()).toEqual([{ id: 'messages', title, body, urgency: 'normal', silent: true }]);
      const everything = JSON.stringify(platform.records);
      for (const secret of ['Layla', 'Sara', 'Nour', 'Hello', 'Voice', 'صوتية']) expect(everything).not.toContain(secret);
    });

    it('says "1 new message" in English and its Arabic form for a single one', () => {
      const en = setup({ preferences: { privacy: 'count', language: 'en' } });
      en.center.messageReceived(message());
      expect(en.platform.notification('messages')?.body).toBe('1 new message');
      const ar = setup({ preferences: { privacy: 'count', language: 'ar' } });
      ar.center.messageReceived(message());
      expect(ar.platform.notification('messages')?.body).toBe('رسالة جديدة واحدة');
    });
  });

  describe('coalescing', () => {
    it('turns a burst in one session into one notification and one silent update', () => {
      const { center, platform, clock } = setup();
      for (let i = 1; i <= 10; i++) {
        center.messageReceived(message({ body: `message ${i}` }));
        clock.advance(100);
      }
      expect(platform.recordsOf('notification.show')).toHaveLength(1);
      clock.advance(5_000);
      const shows = platform.recordsOf('notification.show');
      expect(shows).toHaveLength(2);
      expect(shows[0]).toMatchObject({ at: shows[0]!.at, replaced: false, notification: { silent: true, body: 'message 1' } });
      // One sound and one flash for the burst; the update is quiet.
      expect(platform.recordsOf('sound')).toHaveLength(1);
      expect(platform.recordsOf('frame.attention')).toHaveLength(1);
      expect(shows[1]).toMatchObject({ replaced: true, notification: { silent: true, title: `${iso('Layla')} (10 new messages)`, body: 'message 10' } });
      expect(shows[1]!.at - shows[0]!.at).toBe(5_000);
      expect(platform.visibleNotifications()).toHaveLength(1);
    });

    it('keeps one notification per session', () => {
      const { center, platform } = setup();
      for (const sessionId of ['s-1', 's-2', 's-1', 's-3', 's-2']) center.messageReceived(message({ sessionId }));
      expect(platform.visibleNotifications().map((n) => n.id)).toEqual(['message:s-1', 'message:s-2', 'message:s-3']);
    });

    it('makes a sound again for a message after a quiet spell', () => {
      const { center, platform, clock } = setup();
      center.messageReceived(message());
      clock.advance(60_000);
      center.messageReceived(message({ body: 'later' }));
      const shows = platform.recordsOf('notification.show');
      expect(shows).toHaveLength(2);
      expect(platform.recordsOf('sound').map((s) => s.at - shows[0]!.at)).toEqual([0, 60_000]);
      expect(shows[1]!.notification.title).toBe(`${iso('Layla')} (2 new messages)`);
    });

    it('uses one overall notification at the count level, however many sessions burst', () => {
      const { center, platform, clock } = setup({ preferences: { privacy: 'count' } });
      for (let i = 0; i < 30; i++) center.messageReceived(message({ sessionId: `s-${i % 6}` }));
      clock.advance(5_000);
      expect(platform.recordsOf('notification.show')).toHaveLength(2);
      expect(platform.visibleNotifications()).toEqual([expect.objectContaining({ id: 'messages', body: '30 new messages' })]);
    });
  });

  describe('do not disturb', () => {
    it('silences message notifications but still counts the badge', () => {
      const { center, platform } = setup({ preferences: { doNotDisturb: true } });
      center.messageReceived(message());
      center.setUnreadCount(1);
      expect(platform.recordsOf('notification.show')).toHaveLength(0);
      expect(platform.badgeCount()).toBe(1);
    });

    it('drops a pending update when switched on mid-burst, and notifies again once off', () => {
      const { center, platform, clock } = setup();
      center.messageReceived(message());
      center.messageReceived(message());
      center.setPreferences({ doNotDisturb: true });
      clock.advance(5_000);
      center.messageReceived(message());
      expect(platform.recordsOf('notification.show')).toHaveLength(1);
      center.setPreferences({ doNotDisturb: false });
      clock.advance(5_000);
      center.messageReceived(message());
      expect(platform.recordsOf('notification.show')).toHaveLength(2);
    });
  });

  describe('clearing', () => {
    it('closes a session notification when the session is read and starts counting afresh', () => {
      const { center, platform, clock } = setup({ preferences: { privacy: 'sender' } });
      center.messageReceived(message());
      center.messageReceived(message());
      center.sessionRead('s-1');
      expect(platform.visibleNotifications()).toEqual([]);
      clock.advance(1_000);
      expect(platform.recordsOf('notification.show')).toHaveLength(1);
      center.messageReceived(message());
      expect(platform.notification('message:s-1')?.title).toBe(`New message from ${iso('Layla')}`);
    });

    it('closes every message notification when nothing is unread any more', () => {
      const { center, platform } = setup();
      center.messageReceived(message({ sessionId: 's-1' }));
      center.messageReceived(message({ sessionId: 's-2' }));
      center.setUnreadCount(0);
      expect(platform.visibleNotifications()).toEqual([]);
    });

    it('takes names off the screen when the privacy level is tightened', () => {
      const { center, platform } = setup({ preferences: { privacy: 'full' } });
      center.messageReceived(message());
      center.setPreferences({ privacy: 'count' });
      expect(platform.visibleNotifications()).toEqual([]);
      center.messageReceived(message());
      expect(platform.visibleNotifications()).toEqual([expect.objectContaining({ id: 'messages', body: '1 new message' })]);
    });

    it('switches language for the next notification', () => {
      const { center, platform } = setup({ preferences: { privacy: 'sender' } });
      center.setPreferences({ language: 'ar' });
      center.messageReceived(message());
      expect(platform.notification('message:s-1')?.title).toBe(`رسالة جديدة من ${iso('Layla')}`);
    });
  });

  it('brings the window forward and opens the session when a notification is clicked', () => {
    const { center, platform } = setup();
    center.messageReceived(message({ sessionId: 's-9' }));
    platform.click('message:s-9');
    expect(platform.isWindowFocused()).toBe(true);
    expect(platform.rendererEvents('alerts.activate')).toEqual([{ kind: 'session', sessionId: 's-9' }]);
  });

  it('opens the inbox from the count-only notification', () => {
    const { center, platform } = setup({ preferences: { privacy: 'count' } });
    center.messageReceived(message());
    platform.click('messages');
    expect(platform.rendererEvents('alerts.activate')).toEqual([{ kind: 'inbox' }]);
  });

  it('refuses malformed input with a specific error and records nothing', () => {
    const { center, platform } = setup();
    const before = platform.records.length;
    expect(() => center.messageReceived(message({ sessionId: '' }))).toThrow(/sessionId must be a non-empty string/);
    expect(() => center.messageReceived(message({ type: 'video' as never }))).toThrow(/unknown message type "video"/);
    expect(() => center.messageReceived(message({ durationMs: -1 }))).toThrow(/durationMs/);
    expect(() => center.setPreferences({ privacy: 'names' as never })).toThrow(/unknown privacy level "names"/);
    expect(() => center.setPreferences({ language: 'fr' as never })).toThrow(/unknown language "fr"/);
    expect(() => center.setPreferences({ soundVolume: 101 })).toThrow(/soundVolume must be a whole percentage from 0 to 100, got 101/);
    expect(() => center.setPreferences({ messageSound: 'gong' as never })).toThrow(/unknown sound "gong"/);
    expect(() => center.setPreferences({ reminderRepeatMinutes: 0 })).toThrow(/reminderRepeatMinutes must be a whole number from 1 to 120, got 0/);
    expect(() => center.setPreferences({ flashFrame: 'yes' as never })).toThrow(/flashFrame must be true or false/);
    expect(center.getPreferences()).toEqual(DEFAULT_ALERT_PREFERENCES);
    expect(platform.records.length).toBe(before);
  });
});
