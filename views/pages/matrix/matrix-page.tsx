// The traceability matrix: technologies (rows) × road models (columns), the transfer stage in each
// cell, suspect cells marked. The header row and first column stay in view while scrolling
// (CSS classes in app.css); the filters and the CSV download keep the API's parameter names.
import { TRANSFER_STAGES } from '../../../db/schema.js';
import { cellIndex, type Matrix, type MatrixCell, type MatrixRoadModel, type MatrixSlice, type MatrixTechnology } from '../../../src/domain/matrix.js';
import { Badge, counted, formatNumber, humanize, PageHead } from '../../components/common.js';
import { attrValue, Select, type Option } from '../../components/forms.js';
import { FilterForm, urlWith, type Query } from '../../components/list.js';

export const MATRIX_FILTERS = ['series_id', 'category_id', 'stage'] as const;

export interface MatrixPageProps {
  query: Query;
  slice: MatrixSlice;
  seriesOptions: Option[];
  categoryOptions: Option[];
}

function filtersOf(query: Query): Query {
  return Object.fromEntries(MATRIX_FILTERS.map((k) => [k, query[k]]));
}

export function matrixCsvHref(query: Query): string {
  return urlWith('/matrix', filtersOf(query), { format: 'csv' });
}

function reasonsText(cell: MatrixCell): string {
  return cell.suspect_reasons.map((r) => `${r.rule}: ${r.detail}`).join('\n');
}

function Cell({ cell, technology, roadModel }: { cell: MatrixCell | undefined; technology: MatrixTechnology; roadModel: MatrixRoadModel }) {
  if (!cell) {
    return (
      <td class="matrix-empty">
        <span class="visually-hidden">No transfer</span>
      </td>
    );
  }
  const title = cell.suspect
    ? `Suspect: ${reasonsText(cell)}`
    : `Transfer #${cell.transfer_id}: ${technology.name} → ${roadModel.name}, ${humanize(cell.stage)}`;
  return (
    <td class={cell.suspect ? 'matrix-cell suspect' : 'matrix-cell'}>
      <a href={`/transfers/${cell.transfer_id}`} title={attrValue(title)}>
        <Badge value={cell.stage} />
        {cell.suspect ? (
          <>
            {' '}
            <span class="badge suspect">
              <span aria-hidden="true">⚠ </span>Suspect
            </span>
            <span class="visually-hidden" safe>
              {reasonsText(cell)}
            </span>
          </>
        ) : (
          ''
        )}
      </a>
    </td>
  );
}

function technologyNote(t: MatrixTechnology): string {
  return t.series ? `${t.category} · ${t.series}` : t.category;
}

export function MatrixTable({ matrix }: { matrix: Matrix }) {
  const cell = cellIndex(matrix);
  return (
    <div class="matrix-scroll" role="region" aria-labelledby="matrix-caption" tabindex="0">
      <table class="matrix">
        <caption id="matrix-caption" class="visually-hidden">
          Technologies by road model: the transfer stage in each cell
        </caption>
        <thead>
          <tr>
            <th scope="col" class="matrix-corner">
              Technology
            </th>
            {matrix.road_models.map((m) => (
              <th scope="col">
                <a href={`/road-models/${m.id}`} safe>
                  {m.name}
                </a>
                <small safe>{humanize(m.status)}</small>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.technologies.map((t) => (
            <tr>
              <th scope="row">
                <a href={`/technologies/${t.id}`} safe>
                  {t.name}
                </a>
                <small safe>{technologyNote(t)}</small>
              </th>
              {matrix.road_models.map((m) => (
                <Cell cell={cell(t.id, m.id)} technology={t} roadModel={m} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous / next technology pages, keeping the filters; htmx swaps the results in place. */
function MatrixPager({ query, slice }: { query: Query; slice: MatrixSlice }) {
  if (slice.pages <= 1) return <></>;
  const link = (page: number, text: string, rel: string) => {
    const href = urlWith('/matrix', filtersOf(query), { page: page === 1 ? undefined : String(page) });
    return (
      <a href={href} rel={rel} hx-get={href} hx-target="#results" hx-swap="outerHTML" hx-push-url="true" role="button" class="secondary outline" safe>
        {text}
      </a>
    );
  };
  return (
    <nav class="matrix-pager" aria-label="Technology pages">
      {slice.page > 1 ? link(slice.page - 1, `← Previous ${slice.perPage}`, 'prev') : ''}
      <span safe>{`Page ${slice.page} of ${slice.pages}`}</span>
      {slice.page < slice.pages ? link(slice.page + 1, `Next ${Math.min(slice.perPage, slice.technologyTotal - slice.page * slice.perPage)} →`, 'next') : ''}
    </nav>
  );
}

/** The region the filters replace: summary, CSV link (with the filters), the table and its pages. */
export function MatrixResults({ query, slice }: { query: Query; slice: MatrixSlice }) {
  const { matrix } = slice;
  const filtered = MATRIX_FILTERS.some((f) => query[f]);
  const suspects = matrix.cells.filter((c) => c.suspect).length;
  const first = (slice.page - 1) * slice.perPage + 1;
  const rows =
    slice.pages > 1
      ? `Technologies ${formatNumber(first)}–${formatNumber(first + matrix.technologies.length - 1)} of ${formatNumber(slice.technologyTotal)} (by name)`
      : counted(slice.technologyTotal, 'technology', 'technologies');
  const columns = slice.pages > 1 ? `the ${counted(matrix.road_models.length, 'road model')} they feed` : counted(slice.roadModelTotal, 'road model');
  return (
    <div id="results" aria-live="polite">
      <div class="matrix-toolbar">
        <p class="matrix-note">
          <span safe>
            {`${rows} × ${columns}; ${counted(slice.transferTotal, 'transfer')} in all${
              suspects ? `, ${suspects} suspect ${slice.pages > 1 ? 'on this page' : ''}`.trimEnd() : ''
            }.`}
          </span>{' '}
          Only technologies and road models with at least one transfer{filtered ? ' matching the filters' : ''} are shown.
        </p>
        <a href={matrixCsvHref(query)} download="" role="button" class="secondary download-csv">
          Download CSV
        </a>
      </div>
      {matrix.cells.length === 0 ? (
        <div class="empty-state">
          {filtered ? (
            <p>
              No transfers match these filters. <a href="/matrix">Clear the filters</a> to see the whole matrix.
            </p>
          ) : (
            <p>
              No transfers yet. <a href="/transfers/new">Record a technology feeding a road model</a> and it appears here.
            </p>
          )}
        </div>
      ) : (
        <>
          <MatrixTable matrix={matrix} />
          <MatrixPager query={query} slice={slice} />
        </>
      )}
    </div>
  );
}

export const stageOptions: Option[] = TRANSFER_STAGES.map((s) => ({ value: s, label: humanize(s) }));

export function MatrixPage(props: MatrixPageProps) {
  return (
    <>
      <PageHead title="Traceability matrix" subtitle="Race technologies × road Nismo models: the transfer stage in each cell" />
      <FilterForm basePath="/matrix" query={props.query} label="Filter the matrix">
        <Select name="series_id" label="Series (origin program)" value={props.query.series_id} options={props.seriesOptions} blank="Any series" />
        <Select name="category_id" label="Category" value={props.query.category_id} options={props.categoryOptions} blank="Any category" />
        <Select name="stage" label="Stage" value={props.query.stage} options={stageOptions} blank="Any stage" />
      </FilterForm>
      <MatrixResults query={props.query} slice={props.slice} />
    </>
  );
}
