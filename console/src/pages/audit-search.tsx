import { useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { ListTable, usePagedList } from '../components/paged-list';
import { Badge, ErrorBanner, Field, Link, Notice, PageHeader, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { apiErrorOf } from '../lib/api-error';
import { AUDIT_FIELDS, auditQueryOf, downloadNameOf, type AuditField } from '../lib/audit-query';
import { useConsole } from '../lib/context';
import type { MessageKey } from '../lib/messages';
import { navigate } from '../lib/router';

type AuditRecord = components['schemas']['AuditRecord'];

const LABELS: Record<AuditField, MessageKey> = {
  messageId: 'audit.messageId',
  client: 'audit.client',
  service: 'audit.service',
  userId: 'audit.userId',
  subject: 'audit.subject',
  event: 'audit.event',
  from: 'audit.from',
  to: 'audit.to',
};

export const OUTCOME_TONES = { ok: 'ok', refused: 'warn', failed: 'bad' } as const;

/** Saves a blob under `name` through a temporary link: the browser's own download. */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The auditor's search: by message, client, service, user, data subject and time; export what it finds. */
export function AuditSearchPage(props: { query: URLSearchParams }) {
  const { t, date, zone } = useConsole();
  const fromUrl = Object.fromEntries(
    AUDIT_FIELDS.map((field) => [field, props.query.get(field) ?? '']),
  ) as Record<AuditField, string>;
  const [form, setForm] = useState(fromUrl);
  const [exported, setExported] = useState<string | undefined>(undefined);
  const searched = props.query.toString();
  const query = auditQueryOf(fromUrl, zone);
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/audit/records', {
          params: { query: { ...query, ...(cursor === undefined ? {} : { cursor }) } },
        }),
      ),
    `${searched}|${zone}`,
  );
  const exporter = useAction(async () => {
    const result = await api.POST('/v1/audit/export', { body: { query }, parseAs: 'blob' });
    if (!result.response.ok) {
      throw apiErrorOf(
        result.response.status,
        await result.response
          .clone()
          .json()
          .catch(() => undefined),
      );
    }
    const name = downloadNameOf(
      result.response.headers.get('content-disposition'),
      'audit-evidence.jose.json',
    );
    download(result.data as Blob, name);
    setExported(name);
  });
  return (
    <section>
      <PageHeader title={t('audit.title')} />
      <p class="muted">{t('audit.recorded')}</p>
      <form
        class="card form"
        aria-label={t('common.search')}
        onSubmit={(event) => {
          event.preventDefault();
          const params = new URLSearchParams(Object.entries(form).filter(([, value]) => value.trim() !== ''));
          navigate(`/audit?${params.toString()}`);
        }}
      >
        <div class="form-fields grid-4">
          {AUDIT_FIELDS.map((field) => (
            <Field
              key={field}
              label={t(LABELS[field])}
              name={`audit-${field}`}
              type={field === 'from' || field === 'to' ? 'datetime-local' : 'text'}
              value={form[field]}
              hint={field === 'from' || field === 'to' ? zone : undefined}
              onInput={(event) => {
                const value = (event.target as HTMLInputElement).value;
                setForm((previous) => ({ ...previous, [field]: value }));
              }}
            />
          ))}
        </div>
        <div class="form-actions">
          <button type="submit">{t('common.search')}</button>
          <button
            type="button"
            class="secondary"
            disabled={exporter.busy}
            onClick={() => void exporter.run()}
          >
            {t('audit.export')}
          </button>
        </div>
      </form>
      <ErrorBanner error={exporter.error} />
      {exported === undefined ? null : <Notice>{t('audit.exported', { name: exported })}</Notice>}
      <ListTable<AuditRecord>
        caption={t('audit.results')}
        list={list}
        rowKey={(record) => String(record.seq)}
        columns={[
          { label: t('audit.at'), cell: (record) => date(record.at) },
          {
            label: t('audit.event'),
            cell: (record) => <code>{record.event}</code>,
            text: (record) => record.event,
          },
          {
            label: t('audit.outcome'),
            cell: (record) => (
              <Badge tone={OUTCOME_TONES[record.outcome]}>
                {record.outcome}
                {record.errorType === undefined ? '' : ` · ${record.errorType}`}
              </Badge>
            ),
            text: (record) => `${record.outcome} ${record.errorType ?? ''}`,
          },
          {
            label: t('audit.messageId'),
            text: (record) => record.messageId ?? '',
            cell: (record) =>
              record.messageId === undefined ? (
                '—'
              ) : (
                <Link to={`/audit/messages/${encodeURIComponent(record.messageId)}`}>
                  <code>{record.messageId}</code>
                </Link>
              ),
          },
          {
            label: t('audit.client'),
            cell: (record) => <code>{record.client ?? record.actor ?? '—'}</code>,
            text: (record) => `${record.client ?? ''} ${record.actor ?? ''}`,
          },
          {
            label: t('audit.service'),
            cell: (record) => <code>{record.service ?? '—'}</code>,
            text: (record) => record.service ?? '',
          },
        ]}
      />
    </section>
  );
}
