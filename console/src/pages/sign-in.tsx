import { useState } from 'preact/hooks';
import { ErrorBanner, Field, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole, type Session } from '../lib/context';

/**
 * Sign-in: the token goes to the gateway once, which answers with a session
 * cookie; the field is cleared and the token kept nowhere on the page.
 */
export function SignInPage(props: { onSignedIn: (session: Session) => void }) {
  const { t } = useConsole();
  const [token, setToken] = useState('');
  const action = useAction(async (given: string) => {
    const session = await call(api.POST('/v1/session', { body: { token: given } }));
    props.onSignedIn(session);
  });
  return (
    <section class="card signin-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('signIn.title')}
      </h1>
      <p>{t('signIn.intro')}</p>
      <ErrorBanner error={action.error} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const given = token.trim();
          setToken('');
          void action.run(given);
        }}
      >
        <Field
          label={t('signIn.token')}
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={action.busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </section>
  );
}
