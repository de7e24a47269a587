// The shared shape of every list page: a filter form that updates the results as you type
// (debounced, URL pushed, so reload shows the same), sortable column headers, and "load more"
// by cursor. Without JavaScript the form submits, headers are links and "load more" is a next page.
import type { PropsWithChildren } from '@kitajs/html';

export type Query = Record<string, string | undefined>;

export interface Column<T> {
  header: string;
  /** The API sort field this column sorts by, if sortable. */
  sort?: string;
  render: (row: T) => JSX.Element;
  numeric?: boolean;
}

export function urlWith(basePath: string, query: Query, changes: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...changes })) {
    if (v !== undefined && v !== '') params.set(k, v);
  }
  const s = params.toString();
  return s ? `${basePath}?${s}` : basePath;
}

export function FilterForm(props: PropsWithChildren<{ basePath: string; query: Query; label: string }>) {
  return (
    <search>
      <form
        method="get"
        action={props.basePath}
        class="filters"
        aria-label={props.label}
        hx-get={props.basePath}
        hx-trigger="input changed delay:300ms, change"
        hx-target="#results"
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        {props.query.sort ? <input type="hidden" name="sort" value={props.query.sort} /> : ''}
        <div class="filter-fields">{props.children}</div>
        <button type="submit" class="secondary">
          Apply filters
        </button>
      </form>
    </search>
  );
}

function SortHeader<T>({ column, basePath, query }: { column: Column<T>; basePath: string; query: Query }) {
  if (!column.sort) {
    return (
      <th scope="col" class={column.numeric ? 'numeric' : undefined} safe>
        {column.header}
      </th>
    );
  }
  const current = query.sort ?? '';
  const ascending = current === column.sort;
  const descending = current === `-${column.sort}`;
  const next = ascending ? `-${column.sort}` : column.sort;
  const href = urlWith(basePath, { ...query, cursor: undefined }, { sort: next });
  return (
    <th
      scope="col"
      class={column.numeric ? 'numeric' : undefined}
      aria-sort={ascending ? 'ascending' : descending ? 'descending' : undefined}
    >
      <a href={href} hx-get={href} hx-target="#results" hx-swap="outerHTML" hx-push-url="true">
        <span safe>{column.header}</span>
        <span class="sort-mark" aria-hidden="true">
          {ascending ? ' ▲' : descending ? ' ▼' : ''}
        </span>
      </a>
    </th>
  );
}

export interface ListProps<T> {
  basePath: string;
  query: Query;
  columns: Column<T>[];
  rows: T[];
  nextCursor: string | null;
  /** What an empty list says: what to do next. */
  empty: JSX.Element;
  caption: string;
}

/** The rows of one page plus the "load more" row: what a cursor request answers. */
export function ListRows<T>(props: Omit<ListProps<T>, 'empty' | 'caption'>) {
  const more = props.nextCursor ? urlWith(props.basePath, props.query, { cursor: props.nextCursor }) : null;
  return (
    <>
      {props.rows.map((row) => (
        <tr>
          {props.columns.map((c) => (
            <td class={c.numeric ? 'numeric' : undefined}>{c.render(row)}</td>
          ))}
        </tr>
      ))}
      {more ? (
        <tr class="load-more">
          <td colspan={String(props.columns.length)}>
            <a href={more} hx-get={more} hx-target="closest tr" hx-swap="outerHTML" role="button" class="secondary outline">
              Load more
            </a>
          </td>
        </tr>
      ) : (
        ''
      )}
    </>
  );
}

/** The results region that filters and sort headers replace. */
export function ListResults<T>(props: ListProps<T>) {
  const empty = props.empty;
  return (
    <div id="results" aria-live="polite">
      {props.rows.length > 0 ? (
        <p class="results-actions">
          {/* Inside the results so that live filtering keeps it in step with the filters. */}
          <a href={urlWith(props.basePath, { ...props.query, cursor: undefined }, { format: 'csv' })} download="">
            Download CSV
          </a>
        </p>
      ) : (
        ''
      )}
      {props.rows.length === 0 ? (
        <div class="empty-state">{empty}</div>
      ) : (
        <div class="table-scroll">
          <table class="striped">
            <caption class="visually-hidden" safe>
              {props.caption}
            </caption>
            <thead>
              <tr>
                {props.columns.map((c) => (
                  <SortHeader column={c} basePath={props.basePath} query={props.query} />
                ))}
              </tr>
            </thead>
            <tbody>
              <ListRows basePath={props.basePath} query={props.query} columns={props.columns} rows={props.rows} nextCursor={props.nextCursor} />
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
