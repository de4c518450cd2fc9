import { useState } from 'preact/hooks';
import { ListTable, usePagedList } from '../components/paged-list';
import { PageHeader } from '../components/ui';
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
        toolbar={
          <div class="search">
            <label for="changes-q">{t('common.search')}</label>
            <input
              id="changes-q"
              type="search"
              value={q}
              onChange={(event) => setQ((event.target as HTMLInputElement).value)}
            />
          </div>
        }
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
