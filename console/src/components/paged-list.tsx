import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../lib/context';
import { EmptyRow, ErrorBanner } from './ui';

/** One page of a list, as every list route of the API answers. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * A keyset-paged list: the first page on mount (and whenever `key` changes),
 * further pages appended from each page's `nextCursor`.
 */
export function usePagedList<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  key: string = '',
) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [version, setVersion] = useState(0);

  const load = async (cursor: string | undefined, append: boolean) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchPage(cursor);
      setItems((previous) => (append ? [...previous, ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(undefined, false);
  }, [key, version]);
  return {
    items,
    loading,
    error,
    hasMore: next !== undefined,
    more: () => load(next, true),
    reload: () => setVersion((v) => v + 1),
  };
}

/** A column of a {@link ListTable}. */
export interface Column<T> {
  label: string;
  cell: (item: T) => ComponentChildren;
  /** The text search matches in this column. */
  text?: (item: T) => string;
}

/**
 * A table of a paged list, with a search over what is loaded and a button for
 * the next page. The caption names the list for screen readers.
 */
export function ListTable<T>(props: {
  caption: string;
  list: ReturnType<typeof usePagedList<T>>;
  columns: Column<T>[];
  rowKey: (item: T) => string;
  search?: boolean;
  toolbar?: ComponentChildren;
}) {
  const { t } = useConsole();
  const [query, setQuery] = useState('');
  const { list, columns } = props;
  const needle = query.trim().toLowerCase();
  const shown =
    needle === ''
      ? list.items
      : list.items.filter((item) =>
          columns.some((column) => (column.text?.(item) ?? '').toLowerCase().includes(needle)),
        );
  const searchId = `search-${props.caption.replace(/\W+/g, '-')}`;
  return (
    <section class="list" aria-label={props.caption}>
      <div class="list-toolbar">
        {props.search === false ? null : (
          <div class="search">
            <label for={searchId}>{t('registry.searchLabel')}</label>
            <input
              id={searchId}
              type="search"
              value={query}
              onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
            />
          </div>
        )}
        {props.toolbar}
      </div>
      <ErrorBanner error={list.error} />
      <div class="table-wrap">
        <table>
          <caption>
            {props.caption}{' '}
            <span class="muted">
              ({t('common.count', { count: shown.length })}
              {needle === '' ? '' : ` ${t('common.shownOf', { count: list.items.length })}`})
            </span>
          </caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th scope="col" key={column.label}>
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <tr key={props.rowKey(item)}>
                {columns.map((column) => (
                  <td key={column.label}>{column.cell(item)}</td>
                ))}
              </tr>
            ))}
            {shown.length === 0 && !list.loading ? <EmptyRow colSpan={columns.length} /> : null}
          </tbody>
        </table>
      </div>
      <div class="list-footer">
        {list.loading ? <span role="status">{t('common.loading')}</span> : null}
        {list.hasMore && !list.loading ? (
          <button type="button" class="secondary" onClick={() => void list.more()}>
            {t('common.more')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
