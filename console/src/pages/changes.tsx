import { useState } from 'preact/hooks';
import { ListTable, usePagedList } from '../components/paged-list';
import { FilterInput, PageHeader } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';

/** The registry's change log: who changed what, and when, newest first, searchable on the server. */
export function ChangesPage() {
  const { t, date } = useConsole();
  const [q, setQ] = useState('');
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/changes', {
          params: {
            query: {
              ...(cursor === undefined ? {} : { cursor }),
              ...(q.trim() === '' ? {} : { q: q.trim() }),
            },
          },
        }),
      ),
    q,
  );
  return (
    <section>
      <PageHeader title={t('changes.title')} />
      <ListTable
        caption={t('changes.title')}
        list={list}
        search={false}
        rowKey={(change) => String(change.seq)}
        toolbar={<FilterInput id="changes-q" label={t('common.search')} value={q} onChange={setQ} />}
        columns={[
          { label: t('changes.when'), cell: (change) => date(change.at) },
          { label: t('changes.who'), cell: (change) => change.actor ?? '—' },
          { label: t('changes.action'), cell: (change) => <code>{change.action}</code> },
          { label: t('changes.what'), cell: (change) => <code>{change.id}</code> },
          {
            label: t('changes.detail'),
            cell: (change) =>
              Object.keys(change.detail).length === 0 ? (
                '—'
              ) : (
                <code class="detail">{JSON.stringify(change.detail)}</code>
              ),
          },
        ]}
      />
    </section>
  );
}
