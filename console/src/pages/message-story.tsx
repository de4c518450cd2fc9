import { useEffect, useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { Badge, ErrorBanner, Facts, Link, PageHeader } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';
import { OUTCOME_TONES } from './audit-search';

type Story = { messageId: string; items: components['schemas']['AuditRecord'][] };

/** One message's story, hop by hop, as a timeline of its audit records. */
export function MessageStoryPage(props: { messageId: string }) {
  const { t, date, event } = useConsole();
  const [story, setStory] = useState<Story | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    call(
      api.GET('/v1/audit/messages/{messageId}', { params: { path: { messageId: props.messageId } } }),
    ).then((value) => setStory(value as Story), setError);
  }, [props.messageId]);
  return (
    <section>
      <PageHeader title={`${t('story.title')}: ${props.messageId}`}>
        <Link to={`/audit?messageId=${encodeURIComponent(props.messageId)}`} class="button secondary">
          {t('nav.audit')}
        </Link>
      </PageHeader>
      <ErrorBanner error={error} />
      {story === undefined ? null : story.items.length === 0 ? (
        <p>{t('story.none')}</p>
      ) : (
        <section class="card" aria-labelledby="hops">
          <h2 id="hops">{t('story.hops')}</h2>
          <ol class="timeline">
            {story.items.map((record) => (
              <li key={record.seq} class={`timeline-item outcome-${record.outcome}`}>
                <div class="timeline-when">{date(record.at)}</div>
                <div class="timeline-what">
                  <strong>{event(record.event)}</strong> <code>{record.event}</code>{' '}
                  <Badge tone={OUTCOME_TONES[record.outcome]}>{record.outcome}</Badge>
                  <Facts
                    compact
                    items={[
                      [
                        t('audit.client'),
                        record.client === undefined ? undefined : <code>{record.client}</code>,
                      ],
                      [
                        t('audit.service'),
                        record.service === undefined ? undefined : <code>{record.service}</code>,
                      ],
                      [
                        t('col.server'),
                        record.securityServer === undefined ? undefined : (
                          <code>{record.securityServer}</code>
                        ),
                      ],
                      [t('audit.userId'), record.userId],
                      [
                        t('story.error'),
                        record.errorType === undefined ? undefined : (
                          <code class="error-type">{record.errorType}</code>
                        ),
                      ],
                      [t('story.hash'), <code class="fingerprint">{record.hash}</code>],
                    ]}
                  />
                </div>
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}
