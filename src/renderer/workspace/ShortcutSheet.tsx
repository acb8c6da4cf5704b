import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/en';

/** Every keyboard shortcut of the console, in one list (what Ctrl+/ opens). Keys are written as on the keyboard. */
export const SHORTCUTS: readonly { keys: string[][]; does: MessageKey }[] = [
  { keys: [['Ctrl', 'K']], does: 'shortcuts.switcher' },
  { keys: [['Ctrl', 'L']], does: 'shortcuts.composer' },
  { keys: [['Ctrl', 'F']], does: 'shortcuts.search' },
  { keys: [['Ctrl', 'Shift', 'F']], does: 'shortcuts.searchAll' },
  { keys: [['Alt', '↓']], does: 'shortcuts.nextSession' },
  { keys: [['Alt', '↑']], does: 'shortcuts.previousSession' },
  { keys: [['Ctrl', 'Tab'], ['Ctrl', 'PageDown']], does: 'shortcuts.nextTab' },
  { keys: [['Ctrl', 'Shift', 'Tab'], ['Ctrl', 'PageUp']], does: 'shortcuts.previousTab' },
  { keys: [['Enter']], does: 'shortcuts.send' },
  { keys: [['Shift', 'Enter']], does: 'shortcuts.newline' },
  { keys: [['Esc']], does: 'shortcuts.escape' },
  { keys: [['/']], does: 'shortcuts.cannedReplies' },
  { keys: [['Space'], ['K']], does: 'shortcuts.playPause' },
  { keys: [['←'], ['→'], ['J'], ['L']], does: 'shortcuts.seek' },
  { keys: [['<'], ['>'], ['['], [']']], does: 'shortcuts.speed' },
  { keys: [['Space'], ['A'], ['R'], ['J'], ['K']], does: 'shortcuts.approvals' },
  { keys: [['Ctrl', '/']], does: 'shortcuts.sheet' },
];

export function ShortcutSheet({ onClose }: { onClose(): void }) {
  const { t } = useI18n();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div
        className="dialog shortcuts"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        data-testid="shortcut-sheet"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || (e.key === '/' && (e.ctrlKey || e.metaKey))) {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h3 id="shortcuts-title">{t('shortcuts.title')}</h3>
        <table className="shortcuts__table">
          <tbody>
            {SHORTCUTS.map(({ keys, does }) => (
              <tr key={does}>
                <td className="shortcuts__keys" dir="ltr">
                  {keys.map((combo, i) => (
                    <span key={combo.join('+')}>
                      {i > 0 && ' / '}
                      {combo.map((key, j) => (
                        <span key={key}>
                          {j > 0 && '+'}
                          <kbd>{key}</kbd>
                        </span>
                      ))}
                    </span>
                  ))}
                </td>
                <td>{t(does)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="dialog__actions">
          <button type="button" ref={close} className="secondary" onClick={onClose}>
            {t('shortcuts.close')}
          </button>
        </div>
      </div>
    </div>
  );
}
