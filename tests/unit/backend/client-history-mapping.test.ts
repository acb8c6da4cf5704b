import { describe, expect, it } from 'vitest';
import { toClientHistorySession } from '../../../src/main/backend/row-mapping';
import { clientHistorySessionSchema } from '../../../src/shared/ipc/contract';

describe('a client_history row', () => {
  it('becomes the contract shape, readers parsed from jsonb (object or text), times in UTC', () => {
    const row = {
      session_id: '00000000-0000-4000-8000-000000005001', type: 'booking', status: 'ended',
      created_at: '2026-11-24 16:50:30.123456+00', last_activity_at: '2026-11-25 16:00:00+00',
      readers: JSON.stringify([{ user_id: 'r1', display_name: 'Rana' }]), took_part: false,
    };
    const mapped = toClientHistorySession(row);
    expect(mapped).toEqual({
      sessionId: row.session_id, type: 'booking', status: 'ended', createdAt: '2026-11-24T16:50:30.123456Z', lastActivityAt: '2026-11-25T16:00:00Z',
      readers: [{ userId: 'r1', displayName: 'Rana' }], tookPart: false,
    });
    expect(clientHistorySessionSchema.parse(mapped)).toEqual(mapped);
    expect(toClientHistorySession({ ...row, readers: [], took_part: true }).readers).toEqual([]);
  });
});
