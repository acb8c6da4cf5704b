import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../shared/ipc/contract';
import type { ConsoleClient } from '../bridge/console-client';
import type { BridgeState } from '../bridge/webshell-bridge';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';

export type ConnectionSummary = 'checking' | 'ok' | 'joining' | 'realtime-down' | 'backend-down' | 'offline' | 'console-down';

/** The one thing to tell the user, most serious first: no console process, no network, no server, no live updates. */
export function summarise(link: BridgeState, state: ConnectionState | null): ConnectionSummary {
  if (link !== 'open') return 'console-down';
  if (!state) return 'checking';
  if (!state.online) return 'offline';
  if (state.backend === 'unreachable') return 'backend-down';
  if (state.realtime === 'down') return 'realtime-down';
  if (state.realtime === 'joining') return 'joining';
  return 'ok';
}

const WORDS: Record<ConnectionSummary, MessageKey> = {
  checking: 'connection.checking',
  ok: 'connection.ok',
  joining: 'connection.joining',
  'realtime-down': 'connection.realtimeDown',
  'backend-down': 'connection.backendDown',
  offline: 'app.offline',
  'console-down': 'app.connectionLost',
};

/**
 * The console's connection in one place (the workspace bar): connection.getState, then connection.changed.
 * Until the main process answers those, the older app.connection (online or not) still counts, so a core that
 * does not send the new event yet shows at least the network state.
 */
export function useConnection(client: ConsoleClient): ConnectionSummary {
  const [link, setLink] = useState<BridgeState>(() => client.link.state());
  const [state, setState] = useState<ConnectionState | null>(null);
  useEffect(() => {
    let live = true;
    const refresh = () =>
      client
        .call('connection.getState', {})
        .then((next) => live && setState(next))
        .catch(() => live && setState((current) => current ?? { backend: 'reachable', realtime: 'joined', online: true }));
    void refresh();
    const offChanged = client.on('connection.changed', (next) => setState(next));
    const offOnline = client.on('app.connection', ({ online }) => setState((current) => ({ ...(current ?? { backend: 'reachable', realtime: 'joined' }), online })));
    const offLink = client.link.onState((next) => {
      setLink(next);
      if (next === 'open') void refresh();
    });
    return () => {
      live = false;
      offChanged();
      offOnline();
      offLink();
    };
  }, [client]);
  return summarise(link, state);
}

export function ConnectionIndicator({ summary }: { summary: ConnectionSummary }) {
  const { t } = useI18n();
  const tone = summary === 'ok' ? 'ok' : summary === 'checking' || summary === 'joining' ? 'pending' : summary === 'console-down' ? 'down' : 'degraded';
  return (
    <span className={`connection connection--${tone}`} role="status" aria-label={t('connection.label')} data-testid="connection" data-state={summary}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__text">{t(WORDS[summary])}</span>
    </span>
  );
}
