import { useEffect, useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { EmptyRow, ErrorBanner, Field, PageHeader, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';
import { navigate } from '../lib/router';

type Usage = components['schemas']['Usage'];

/** One citizen's data usage: who received their data, when, for what (the findUsage answer). */
export function UsagePage(props: { query: URLSearchParams }) {
  const { t, date } = useConsole();
  const subject = props.query.get('subject') ?? '';
  const [given, setGiven] = useState(subject);
  const [rows, setRows] = useState<Usage[] | undefined>(undefined);
  const find = useAction(async (code: string) => {
    const answer = await call(api.GET('/v2/findUsage', { params: { query: { userCode: code } } }));
    setRows(answer.usages);
  });
  useEffect(() => {
    setRows(undefined);
    if (subject !== '') void find.run(subject);
  }, [subject]);
  return (
    <section>
      <PageHeader title={t('usage.title')} />
      <p>{t('usage.intro')}</p>
      <form
        class="card inline-form"
        aria-label={t('common.search')}
        onSubmit={(event) => {
          event.preventDefault();
          navigate(`/usage?subject=${encodeURIComponent(given.trim())}`);
        }}
      >
        <Field
          label={t('usage.subject')}
          name="usage-subject"
          placeholder="УБ99010112"
          value={given}
          onInput={(event) => setGiven((event.target as HTMLInputElement).value)}
        />
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBanner error={find.error} />
      {rows === undefined ? null : (
        <div class="table-wrap">
          <table>
            <caption>
              {t('usage.title')}: {subject}{' '}
              <span class="muted">({t('common.count', { count: rows.length })})</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('usage.time')}</th>
                <th scope="col">{t('usage.receiver')}</th>
                <th scope="col">{t('audit.client')}</th>
                <th scope="col">{t('usage.action')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={index}>
                  <td>{date(row.logtime)}</td>
                  <td>
                    {row.receiverName ?? ''} <code>{row.receiverCode}</code>
                  </td>
                  <td>
                    <code>{row.receiverSystem}</code>
                  </td>
                  <td>{row.action}</td>
                </tr>
              ))}
              {rows.length === 0 ? <EmptyRow colSpan={4} /> : null}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
