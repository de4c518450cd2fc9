import { useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { ListTable, usePagedList } from '../components/paged-list';
import { Badge, ErrorBanner, Facts, Field, Notice, PageHeader, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { fieldErrorsOf } from '../lib/api-error';
import { useConsole } from '../lib/context';
import type { MessageKey } from '../lib/messages';

type Registration = components['schemas']['Registration'];
type CsrSummary = components['schemas']['CsrSummary'];

const TONES = { pending: 'warn', approved: 'ok', rejected: 'bad' } as const;

/** Registration requests: pending first, each with what its CSRs say; approve, or reject with a reason. */
export function RegistrationsPage() {
  const { t, date } = useConsole();
  const [status, setStatus] = useState<'pending' | 'all'>('pending');
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/registrations', {
          params: {
            query: { ...(status === 'all' ? {} : { status }), ...(cursor === undefined ? {} : { cursor }) },
          },
        }),
      ),
    status,
  );
  return (
    <section>
      <PageHeader title={t('reg.title')}>
        <button type="button" class="secondary" onClick={list.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      {notice === undefined ? null : <Notice>{notice}</Notice>}
      <TokenForm />
      {selected === undefined ? null : (
        <RegistrationDetails
          id={selected}
          onDecided={(message) => {
            setNotice(message);
            setSelected(undefined);
            list.reload();
          }}
          onClose={() => setSelected(undefined)}
        />
      )}
      <ListTable<Registration>
        caption={status === 'pending' ? t('reg.pending') : t('reg.all')}
        list={list}
        rowKey={(item) => item.id}
        toolbar={
          <div class="setting">
            <label for="reg-status">{t('common.filter')}</label>
            <select
              id="reg-status"
              value={status}
              onChange={(event) => setStatus((event.target as HTMLSelectElement).value as 'pending' | 'all')}
            >
              <option value="pending">{t('reg.pending')}</option>
              <option value="all">{t('reg.all')}</option>
            </select>
          </div>
        }
        columns={[
          {
            label: t('reg.server'),
            cell: (item) => <code>{item.securityServerId}</code>,
            text: (item) => item.securityServerId,
          },
          { label: t('reg.address'), cell: (item) => item.address, text: (item) => item.address },
          { label: t('reg.submitted'), cell: (item) => date(item.submittedAt) },
          {
            label: t('common.status'),
            cell: (item) => (
              <Badge tone={TONES[item.status]}>{t(`status.${item.status}` as MessageKey)}</Badge>
            ),
            text: (item) => item.status,
          },
          {
            label: t('common.actions'),
            cell: (item) => (
              <button
                type="button"
                class="secondary"
                onClick={() => setSelected(item.id)}
                aria-label={`${t('reg.details')}: ${item.securityServerId}`}
              >
                {t('reg.details')}
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}

function RegistrationDetails(props: {
  id: string;
  onDecided: (message: string) => void;
  onClose: () => void;
}) {
  const { t, date } = useConsole();
  const [reason, setReason] = useState('');
  const details = usePagedList(
    async () => ({
      items: [await call(api.GET('/v1/registrations/{id}', { params: { path: { id: props.id } } }))],
    }),
    props.id,
  );
  const decide = useAction(async (verdict: 'approve' | 'reject') => {
    if (verdict === 'approve') {
      await call(api.POST('/v1/registrations/{id}/approve', { params: { path: { id: props.id } } }));
      props.onDecided(t('reg.approved'));
    } else {
      await call(
        api.POST('/v1/registrations/{id}/reject', { params: { path: { id: props.id } }, body: { reason } }),
      );
      props.onDecided(t('reg.rejected'));
    }
  });
  const registration = details.items[0];
  const errors = fieldErrorsOf(decide.error);
  return (
    <section class="card details" aria-labelledby="reg-details-heading">
      <div class="details-head">
        <h2 id="reg-details-heading">
          {t('reg.details')}: <code>{registration?.securityServerId ?? ''}</code>
        </h2>
        <button type="button" class="secondary" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
      <ErrorBanner error={details.error} />
      {registration === undefined ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <>
          <Facts
            items={[
              [t('reg.server'), <code>{registration.securityServerId}</code>],
              [t('reg.owner'), <code>{registration.ownerId}</code>],
              [t('reg.address'), registration.address],
              [t('reg.submitted'), date(registration.submittedAt)],
              [
                t('reg.token'),
                registration.registrationToken === undefined
                  ? '—'
                  : t('reg.tokenBy', {
                      id: registration.registrationToken.id ?? '',
                      by: registration.registrationToken.createdBy ?? '',
                      at: date(registration.registrationToken.createdAt),
                    }),
              ],
              [
                t('common.status'),
                registration.decidedAt === undefined ? undefined : (
                  <>
                    <Badge tone={TONES[registration.status]}>
                      {t(`status.${registration.status}` as MessageKey)}
                    </Badge>{' '}
                    {t('reg.decided', { by: registration.decidedBy ?? '', at: date(registration.decidedAt) })}
                    {registration.decisionReason === undefined ? '' : `: ${registration.decisionReason}`}
                  </>
                ),
              ],
            ]}
          />
          <div class="grid-2">
            <Csr title={t('reg.csrSign')} csr={registration.csrs?.sign} />
            <Csr title={t('reg.csrAuth')} csr={registration.csrs?.auth} />
          </div>
          <ErrorBanner error={decide.error} />
          {registration.status !== 'pending' ? null : (
            <div class="decision">
              <button type="button" disabled={decide.busy} onClick={() => void decide.run('approve')}>
                {t('reg.approve')}
              </button>
              <form
                class="inline-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  void decide.run('reject');
                }}
              >
                <Field
                  label={t('common.reason')}
                  name="reason"
                  value={reason}
                  error={errors.reason}
                  onInput={(event) => setReason((event.target as HTMLInputElement).value)}
                />
                <button type="submit" class="danger" disabled={decide.busy}>
                  {t('reg.reject')}
                </button>
              </form>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Csr(props: { title: string; csr: CsrSummary | undefined }) {
  const { t } = useConsole();
  if (props.csr === undefined) return null;
  const names = [...props.csr.dnsNames, ...props.csr.ipAddresses];
  return (
    <section class="csr" aria-label={props.title}>
      <h3>{props.title}</h3>
      <Facts
        items={[
          [t('reg.subject'), <code>{props.csr.subject}</code>],
          [t('reg.keyAlgorithm'), props.csr.keyAlgorithm],
          [t('reg.fingerprint'), <code class="fingerprint">{props.csr.publicKeyFingerprint}</code>],
          [t('reg.names'), names.length === 0 ? undefined : names.join(', ')],
        ]}
      />
    </section>
  );
}

/** Issues a one-time registration token for a server an operator is about to register. */
function TokenForm() {
  const { t, date } = useConsole();
  const [server, setServer] = useState('');
  const [issued, setIssued] = useState<{ token: string; expiresAt: string } | undefined>(undefined);
  const action = useAction(async () => {
    const created = await call(
      api.POST('/v1/registration-tokens', { body: { securityServerId: server.trim() } }),
    );
    setIssued(created);
  });
  const errors = fieldErrorsOf(action.error);
  return (
    <details class="card">
      <summary>{t('reg.newToken')}</summary>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run();
        }}
      >
        <Field
          label={t('reg.newTokenServer')}
          name="securityServerId"
          placeholder="MN/GOV/9011311/ss1"
          value={server}
          error={errors.securityServerId}
          onInput={(event) => setServer((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={action.busy}>
          {t('common.create')}
        </button>
      </form>
      <ErrorBanner error={errors.securityServerId === undefined ? action.error : undefined} />
      {issued === undefined ? null : (
        <Notice>
          {t('reg.tokenIssued')} <code class="secret">{issued.token}</code> ({date(issued.expiresAt)})
        </Notice>
      )}
    </details>
  );
}
