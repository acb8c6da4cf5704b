import type { CannedReply } from '../../shared/ipc/contract';
import { useI18n } from '../i18n/i18n';

interface Props {
  id: string;
  replies: readonly CannedReply[];
  activeIndex: number;
  /** The reply's text as it would be inserted (variables filled), for the preview. */
  preview(reply: CannedReply): string;
  onPick(reply: CannedReply): void;
}

export const cannedOptionId = (listId: string, index: number) => `${listId}-option-${index}`;

/**
 * The `/` list of the composer: an ARIA listbox whose active option the composer's textarea (the combobox) points at
 * with aria-activedescendant, so focus stays in the text while ↑/↓ move, Enter or Tab insert and Esc closes.
 */
export function CannedReplyList({ id, replies, activeIndex, preview, onPick }: Props) {
  const { t } = useI18n();
  return (
    <ul className="canned-list" id={id} role="listbox" aria-label={t('canned.listLabel')} data-testid="canned-list">
      {replies.map((reply, index) => (
        <li
          key={reply.id}
          id={cannedOptionId(id, index)}
          role="option"
          aria-selected={index === activeIndex}
          className={index === activeIndex ? 'canned-list__option canned-list__option--active' : 'canned-list__option'}
          data-testid="canned-option"
          // Keeps the focus in the textarea: the click inserts, it does not move the focus away first.
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(reply);
          }}
        >
          <span className="canned-list__shortcut" dir="auto">
            /{reply.shortcut}
          </span>
          <span className="canned-list__title" dir="auto">
            {reply.title}
          </span>
          {reply.shared && <span className="badge">{t('canned.shared')}</span>}
          <span className="canned-list__preview muted" dir="auto">
            {preview(reply)}
          </span>
        </li>
      ))}
    </ul>
  );
}
