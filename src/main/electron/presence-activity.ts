import type { PowerMonitor } from 'electron';
import type { ActivitySignal, ActivitySource } from '../core/presence';

/**
 * The OS as the presence tracker's activity source: the system-wide idle time and lock state (polled; Linux reports
 * a lock only through getSystemIdleState), and lock/unlock (macOS, Windows) and suspend/resume as they happen.
 * Created per window once the app is ready, when the backend has started.
 */
export function powerMonitorActivity(powerMonitor: PowerMonitor): ActivitySource {
  return {
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    // Any threshold above zero (Electron refuses 0): only 'locked' is read here.
    isLocked: () => powerMonitor.getSystemIdleState(1) === 'locked',
    subscribe(listener: (signal: ActivitySignal) => void) {
      const handlers: ['lock-screen' | 'unlock-screen' | 'suspend' | 'resume', ActivitySignal][] = [
        ['lock-screen', 'locked'],
        ['unlock-screen', 'unlocked'],
        ['suspend', 'suspended'],
        ['resume', 'resumed'],
      ];
      const bound = handlers.map(([event, signal]) => {
        const handler = () => listener(signal);
        powerMonitor.on(event as 'suspend', handler);
        return () => powerMonitor.removeListener(event as 'suspend', handler);
      });
      return () => {
        for (const off of bound) off();
      };
    },
  };
}
