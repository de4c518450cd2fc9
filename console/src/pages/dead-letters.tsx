import { useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { ListTable, usePagedList } from '../components/paged-list';
import { Badge, ErrorBanner, Facts, FilterInput, Notice, PageHeader, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';
import { SERVER, idParts } from '../lib/ids';

type DeadLetter = components['schemas']['DeadLetter'];

const keyOf = (letter: DeadLetter) => `${letter.serverId} ${letter.kind} ${letter.id}`;

/** Dead letters by provider: inspect one, replay one or a selection. */
export function DeadLettersPage() {
  const { t, date, num } = useConsole();
  const [server, setServer] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [inspected, setInspected] = useState<DeadLetter | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/dead-letters', {
          params: {
            query: {
              ...(cursor === undefined ? {} : { cursor }),
              ...(server.trim() === '' ? {} : { server: server.trim() }),
            },
          },
        }),
      ),
    server,
  );
  const replay = useAction(async (letters: DeadLetter[]) => {
    for (const letter of letters) {
      await call(
        api.POST('/v1/dead-letters/{instance}/{memberClass}/{memberCode}/{serverCode}/{id}/replay', {
          params: {
            path: { ...idParts(letter.serverId, SERVER), id: letter.id },
            query: { kind: letter.kind },
          },
        }),
      );
    }
    setNotice(t('dl.replayed', { count: letters.length }));
    setSelected(new Set());
    setInspected(undefined);
    list.reload();
  });
  const toggle = (key: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const chosen = list.items.filter((letter) => selected.has(keyOf(letter)));
  const allChosen = list.items.length > 0 && chosen.length === list.items.length;
  return (
    <section>
      <PageHeader title={t('dl.title')}>
        <button
          type="button"
          disabled={chosen.length === 0 || replay.busy}
          onClick={() => void replay.run(chosen)}
        >
          {t('dl.replaySelected', { count: chosen.length })}
        </button>
      </PageHeader>
      {notice === undefined ? null : <Notice>{notice}</Notice>}
      <ErrorBanner error={replay.error} />
      {inspected === undefined ? null : (
        <section class="card details" aria-labelledby="dl-details">
          <div class="details-head">
            <h2 id="dl-details">
              {t('dl.message')}: <code>{inspected.id}</code>
            </h2>
            <button type="button" class="secondary" onClick={() => setInspected(undefined)}>
              {t('common.close')}
            </button>
          </div>
          <Facts
            items={[
              [
                t('dl.provider'),
                <>
                  <code>{inspected.serverId}</code> ({inspected.kind})
                </>,
              ],
              [t('col.client'), <code>{inspected.client}</code>],
              [t('col.service'), <code>{inspected.service}</code>],
              [t('dl.failedAt'), date(inspected.failedAt)],
              [t('dl.attempts'), num(inspected.attempts)],
              [
                t('dl.reason'),
                <>
                  <code class="error-type">{inspected.reason.type}</code> {inspected.reason.message}
                </>,
              ],
            ]}
          />
          <button type="button" disabled={replay.busy} onClick={() => void replay.run([inspected])}>
            {t('dl.replay')}
          </button>
        </section>
      )}
      <ListTable<DeadLetter>
        caption={t('dl.title')}
        list={list}
        rowKey={keyOf}
        toolbar={
          <FilterInput
            id="dl-server"
            label={t('dl.provider')}
            placeholder="MN/GOV/9011311/ss1"
            value={server}
            onChange={setServer}
          />
        }
        columns={[
          {
            label: t('dl.selectAll'),
            cell: (letter) => (
              <input
                type="checkbox"
                checked={selected.has(keyOf(letter))}
                onChange={() => toggle(keyOf(letter))}
                aria-label={t('dl.select', { id: letter.id })}
              />
            ),
          },
          {
            label: t('dl.provider'),
            cell: (letter) => <code>{letter.serverId}</code>,
            text: (letter) => letter.serverId,
          },
          { label: t('dl.message'), cell: (letter) => <code>{letter.id}</code>, text: (letter) => letter.id },
          {
            label: t('col.service'),
            cell: (letter) => <code>{letter.service}</code>,
            text: (letter) => `${letter.service} ${letter.client}`,
          },
          { label: t('dl.failedAt'), cell: (letter) => date(letter.failedAt) },
          { label: t('dl.attempts'), cell: (letter) => num(letter.attempts) },
          {
            label: t('dl.reason'),
            cell: (letter) => <Badge tone="bad">{letter.reason.type}</Badge>,
            text: (letter) => letter.reason.type,
          },
          {
            label: t('common.actions'),
            cell: (letter) => (
              <button
                type="button"
                class="secondary small"
                onClick={() => setInspected(letter)}
                aria-label={`${t('dl.inspect')}: ${letter.id}`}
              >
                {t('dl.inspect')}
              </button>
            ),
          },
        ]}
      />
      {list.items.length === 0 ? null : (
        <label class="check">
          <input
            type="checkbox"
            checked={allChosen}
            onChange={() => setSelected(allChosen ? new Set() : new Set(list.items.map(keyOf)))}
          />{' '}
          {t('dl.selectAll')}
        </label>
      )}
    </section>
  );
}
