// The lineage explorer: the controls (a GET form whose state is the URL, with the API's parameter
// names) and the graph region that htmx swaps in place.
import { LINEAGE_MAX_DEPTH, LINEAGE_MIN_DEPTH, LINEAGE_NODE_KINDS } from '../../../src/domain/lineage.js';
import { PageHead } from '../../components/common.js';
import { attrValue } from '../../components/forms.js';
import { KIND_LABEL, LineageRegion, type LineageRegionProps } from '../../components/lineage-graph.js';

export interface NodeChoice {
  value: string;
  label: string;
}

/** The controls as typed (a refused query shows them again as they were). */
export interface ExplorerFormValues {
  node: string;
  direction: string;
  depth: string;
  /** Checked kinds; empty means all. */
  kinds: string[];
}

export interface ExplorerPageProps extends LineageRegionProps {
  values: ExplorerFormValues;
  choices: NodeChoice[];
}

const DIRECTIONS: [string, string, string][] = [
  ['upstream', 'Upstream', 'toward the race: what feeds it'],
  ['downstream', 'Downstream', 'toward the road: what it feeds'],
];

export function ExplorerControls({ values, choices }: Pick<ExplorerPageProps, 'values' | 'choices'>) {
  const allKinds = values.kinds.length === 0;
  return (
    <search>
      <form
        id="lineage-controls"
        method="get"
        action="/lineage"
        class="lineage-controls"
        aria-label="Lineage query"
        hx-get="/lineage"
        hx-trigger="submit, change"
        hx-target="#lineage-graph"
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        <div class="lineage-control-grid">
          <label for="lineage-node">
            Start node
            <input
              id="lineage-node"
              name="node"
              type="text"
              value={attrValue(values.node)}
              list="lineage-node-choices"
              placeholder="road-model:12"
              autocomplete="off"
              spellcheck="false"
              required
              maxlength="60"
              aria-describedby="lineage-node-hint"
            />
            <small id="lineage-node-hint">
              <code>kind:id</code>, e.g. <code>road-model:12</code>; type a name to pick from the list
            </small>
          </label>
          <datalist id="lineage-node-choices">
            {choices.map((c) => (
              <option value={attrValue(c.value)} label={attrValue(c.label)}></option>
            ))}
          </datalist>
          <fieldset>
            <legend>Direction</legend>
            {DIRECTIONS.map(([value, label, hint]) => (
              <label>
                <input type="radio" name="direction" value={value} checked={values.direction === value} />
                <span safe>{label}</span> <small safe>{hint}</small>
              </label>
            ))}
          </fieldset>
          <label for="lineage-depth">
            Depth
            <input id="lineage-depth" name="depth" type="number" min={String(LINEAGE_MIN_DEPTH)} max={String(LINEAGE_MAX_DEPTH)} step="1" value={attrValue(values.depth)} required />
            <small>hops from the start node, 1–10</small>
          </label>
        </div>
        <fieldset class="lineage-kinds">
          <legend>Show kinds</legend>
          {LINEAGE_NODE_KINDS.map((k) => (
            <label>
              <input type="checkbox" name="kinds" value={k} checked={allKinds || values.kinds.includes(k)} />
              <span safe>{KIND_LABEL[k]}</span>
            </label>
          ))}
          <small>A hidden kind's paths show as implied (dashed) links.</small>
        </fieldset>
        <button type="submit">Show lineage</button>
      </form>
    </search>
  );
}

export function ExplorerPage(props: ExplorerPageProps) {
  return (
    <>
      <PageHead title="Lineage explorer" subtitle="Race → road: series, programs, prototypes, test runs, technologies and the road models they feed" />
      <ExplorerControls values={props.values} choices={props.choices} />
      <LineageRegion result={props.result} state={props.state} error={props.error} />
    </>
  );
}
