import { useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { ListTable, usePagedList } from '../components/paged-list';
import { Badge, ErrorBanner, Notice, PageHeader, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';
import { verifySlices } from '../lib/verify-plan';

type Report = components['schemas']['AuditVerification'];

/** Parts a run is split into, so a long log shows progress. */
const PARTS = 8;

/**
 * Verifies the audit log in time slices (each a call of the API, so the page
 * shows progress and, on a break, where it is), then the whole log at once:
 * the whole-log run is the verdict, since only it checks every chain from its
 * start (or its archive marker) to its signed head.
 */
export function VerifyPage() {
  const { t, num, date } = useConsole();
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>(undefined);
  const [report, setReport] = useState<Report | undefined>(undefined);
  const checkpoints = usePagedList((cursor) =>
    call(api.GET('/v1/audit/checkpoints', { params: { query: cursor === undefined ? {} : { cursor } } })),
  );
  const run = useAction(async () => {
    setReport(undefined);
    const first = await call(api.GET('/v1/audit/records', { params: { query: { limit: 1 } } }));
    const start = first.items[0]?.at;
    const slices = start === undefined ? [] : verifySlices(new Date(start), new Date(), PARTS);
    const total = slices.length + 1;
    setProgress({ done: 0, total });
    for (const [index, slice] of slices.entries()) {
      const part = await call(api.GET('/v1/audit/verify', { params: { query: slice } }));
      if (!part.ok) {
        setReport(part);
        setProgress({ done: index + 1, total });
        return;
      }
      setProgress({ done: index + 1, total });
    }
    const whole = await call(api.GET('/v1/audit/verify'));
    setProgress({ done: total, total });
    setReport(whole);
    checkpoints.reload();
  });
  return (
    <section>
      <PageHeader title={t('verify.title')} />
      <p>{t('verify.intro')}</p>
      <div class="card">
        <button type="button" disabled={run.busy} onClick={() => void run.run()}>
          {t('verify.run')}
        </button>
        {progress === undefined ? null : (
          <div class="progress">
            <label for="verify-progress">
              {t('verify.progress', { done: progress.done, total: progress.total })}
            </label>
            <progress id="verify-progress" max={progress.total} value={progress.done} />
          </div>
        )}
        <ErrorBanner error={run.error} />
        {report === undefined ? null : report.ok ? (
          <Notice>
            <Badge tone="ok">OK</Badge>{' '}
            {t('verify.ok', { records: num(report.records), checkpoints: num(report.checkpoints) })}
          </Notice>
        ) : (
          <div class="banner banner-error" role="alert">
            <Badge tone="bad">{report.problem.kind}</Badge>{' '}
            {t('verify.broken', { problem: report.problem.message })}
            {report.problem.seq === undefined ? '' : ` (seq ${report.problem.seq}, ${report.problem.writer})`}
          </div>
        )}
      </div>
      <ListTable
        caption={t('verify.checkpoints')}
        list={checkpoints}
        rowKey={(checkpoint) => String(checkpoint.id)}
        columns={[
          { label: t('audit.at'), cell: (checkpoint) => date(checkpoint.at) },
          {
            label: t('verify.writer'),
            cell: (checkpoint) => <code>{checkpoint.writer}</code>,
            text: (checkpoint) => checkpoint.writer,
          },
          { label: t('verify.size'), cell: (checkpoint) => num(checkpoint.count) },
          {
            label: t('verify.head'),
            cell: (checkpoint) => <code class="fingerprint">{checkpoint.headHash}</code>,
            text: (checkpoint) => checkpoint.headHash,
          },
        ]}
      />
    </section>
  );
}
