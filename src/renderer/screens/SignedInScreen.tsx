import type { Profile } from '../../shared/ipc/contract';
import type { ConsoleClient } from '../bridge/console-client';
import { useI18n } from '../i18n/i18n';

/** Who is signed in, in which role; the workspace (sessions, approvals, emergencies) builds on this. */
export function SignedInScreen({ client, profile }: { client: ConsoleClient; profile: Profile }) {
  const { t } = useI18n();
  return (
    <section className="sign-in" aria-labelledby="signed-in-title">
      <h2 id="signed-in-title">{t('signedIn.title', { name: profile.displayName })}</h2>
      <p className="sign-in__subtitle" data-testid="signed-in-role">
        {t(`role.${profile.role}`)}
      </p>
      <button type="button" onClick={() => void client.call('auth.signOut', {})}>
        {t('signedIn.signOut')}
      </button>
    </section>
  );
}
