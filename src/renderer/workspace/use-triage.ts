import { useEffect, useState } from 'react';
import type { SessionTriage, TriageState } from '../../shared/ipc/contract';
import type { ConsoleClient } from '../bridge/console-client';

const EMPTY: TriageState = { sessions: [], doNotDisturb: { manual: false, until: null, schedule: null } };

/** The user's triage and do-not-disturb as the main process holds them, kept current by triage.changed. */
export function useTriage(client: ConsoleClient): { state: TriageState; bySession: Map<string, SessionTriage> } {
  const [state, setState] = useState<TriageState>(EMPTY);
  useEffect(() => {
    let live = true;
    // Anything but a full state (a main process without triage) leaves the empty one.
    const accept = (next: TriageState) => {
      if (live && Array.isArray(next?.sessions) && next.doNotDisturb) setState(next);
    };
    const off = client.on('triage.changed', accept);
    client
      .call('triage.get', {})
      .then(accept)
      .catch(() => {});
    return () => {
      live = false;
      off();
    };
  }, [client]);
  return { state, bySession: new Map(state.sessions.map((entry) => [entry.sessionId, entry])) };
}
