// Contracts of the lineage query (DESIGN §3): nodes `kind:id`, typed edges race → road.
import { Type } from 'typebox';
import { EVIDENCE_OUTCOMES, TRANSFER_STAGES } from '../../db/schema.js';
import {
  LINEAGE_DEFAULT_LIMIT,
  LINEAGE_DIRECTIONS,
  LINEAGE_EDGE_TYPES,
  LINEAGE_MAX_DEPTH,
  LINEAGE_MAX_LIMIT,
  LINEAGE_MIN_DEPTH,
  LINEAGE_NODE_KINDS,
  LINEAGE_RESULT_KINDS,
} from '../domain/lineage.js';
import { ref, StringEnum } from './common.js';

const NodeRef = (options: Record<string, unknown> = {}) => Type.String({ maxLength: 60, ...options });
const Count = Type.Integer({ minimum: 0 });

export const LineageNode = Type.Object(
  {
    id: NodeRef({ description: 'Node id `kind:id`; run groups are `run-group:<technology id>`.', examples: ['road-model:12'] }),
    kind: StringEnum(LINEAGE_RESULT_KINDS),
    label: Type.String({ maxLength: 500, examples: ['Ariya NISMO'] }),
    depth: Type.Integer({ minimum: 0, maximum: LINEAGE_MAX_DEPTH, description: 'Least number of hops from the root (0 for the root), counted in the full graph.' }),
    href: Type.String({ maxLength: 200, description: 'The page of the node.', examples: ['/road-models/12'] }),
    code: Type.Optional(Type.String({ maxLength: 100, description: 'Prototypes and test runs.' })),
    status: Type.Optional(Type.String({ maxLength: 40, description: 'Programs, test runs and road models.' })),
    domain: Type.Optional(Type.String({ maxLength: 40, description: 'Technologies: hardware or software.' })),
    technology_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Run groups: the technology whose runs they are.' })),
    count: Type.Optional(Type.Integer({ minimum: 1, description: 'Run groups: completed runs in the group.' })),
    passes: Type.Optional(Count),
    fails: Type.Optional(Count),
    inconclusive: Type.Optional(Count),
  },
  {
    $id: 'LineageNode',
    additionalProperties: false,
    description:
      'A node of the lineage graph. Runs with evidence are folded into one `run-group` node per technology (their outcomes for it counted) unless the technology is in `expand`.',
    examples: [
      { id: 'technology:5', kind: 'technology', label: 'Formula E tyre compound', depth: 1, href: '/technologies/5', domain: 'hardware' },
      {
        id: 'run-group:5',
        kind: 'run-group',
        label: '14 runs of Formula E tyre compound',
        depth: 2,
        href: '/test-runs?technology_id=5&status=completed',
        technology_id: 5,
        count: 14,
        passes: 11,
        fails: 2,
        inconclusive: 1,
      },
    ],
  },
);

export const LineageEdge = Type.Object(
  {
    from: NodeRef({ description: 'The race-side end.', examples: ['technology:5'] }),
    to: NodeRef({ description: 'The road-side end.', examples: ['road-model:12'] }),
    type: StringEnum(LINEAGE_EDGE_TYPES),
    implied: Type.Optional(Type.Boolean({ description: 'A path through hidden kinds, contracted.' })),
    via: Type.Optional(Type.Array(StringEnum(LINEAGE_NODE_KINDS), { maxItems: LINEAGE_NODE_KINDS.length, description: 'Implied edges: the hidden kinds passed through.' })),
    outcome: Type.Optional(StringEnum(EVIDENCE_OUTCOMES, { description: 'Evidence edges of single runs.' })),
    stage: Type.Optional(StringEnum(TRANSFER_STAGES, { description: 'Transfer edges (rejected transfers are not lineage).' })),
    failing: Type.Optional(Type.Boolean({ description: 'Evidence with outcome fail (a run group with a fail; an implied path through one).' })),
    suspect: Type.Optional(Type.Boolean({ description: 'A suspect transfer (SUS-1, SUS-2), or an implied path through one.' })),
  },
  {
    $id: 'LineageEdge',
    additionalProperties: false,
    description: 'An edge, always pointing race → road whatever the direction of the query.',
    examples: [
      { from: 'technology:5', to: 'road-model:12', type: 'transfer', stage: 'in_production' },
      { from: 'test-run:7', to: 'technology:5', type: 'evidence', outcome: 'fail', failing: true },
      { from: 'program:3', to: 'road-model:12', type: 'implied', implied: true, via: ['technology'] },
    ],
  },
);

export const LineageGraph = Type.Object(
  {
    root: NodeRef({ examples: ['road-model:12'] }),
    direction: StringEnum(LINEAGE_DIRECTIONS),
    depth: Type.Integer({ minimum: LINEAGE_MIN_DEPTH, maximum: LINEAGE_MAX_DEPTH }),
    nodes: Type.Array(ref(LineageNode), {
      maxItems: LINEAGE_MAX_LIMIT,
      description: 'Nearest first (by depth); the root is first.',
    }),
    edges: Type.Array(ref(LineageEdge), { description: 'Edges among the listed nodes.' }),
    truncated: Type.Boolean({ description: 'True when nodes beyond `limit` were left out (the nearest are kept).' }),
  },
  {
    $id: 'LineageGraph',
    additionalProperties: false,
    examples: [
      {
        root: 'road-model:12',
        direction: 'upstream',
        depth: 2,
        nodes: [
          { id: 'road-model:12', kind: 'road-model', label: 'Ariya NISMO', depth: 0, href: '/road-models/12', status: 'production' },
          { id: 'technology:5', kind: 'technology', label: 'Formula E tyre compound', depth: 1, href: '/technologies/5', domain: 'hardware' },
          {
            id: 'run-group:5',
            kind: 'run-group',
            label: '14 runs of Formula E tyre compound',
            depth: 2,
            href: '/test-runs?technology_id=5&status=completed',
            technology_id: 5,
            count: 14,
            passes: 11,
            fails: 2,
            inconclusive: 1,
          },
          { id: 'program:3', kind: 'program', label: 'Formula E 2024-25 Nissan Formula E Team', depth: 2, href: '/programs/3', status: 'completed' },
        ],
        edges: [
          { from: 'program:3', to: 'technology:5', type: 'origin' },
          { from: 'run-group:5', to: 'technology:5', type: 'evidence', failing: true },
          { from: 'technology:5', to: 'road-model:12', type: 'transfer', stage: 'in_production' },
        ],
        truncated: false,
      },
    ],
  },
);

export const LineageQuery = Type.Object({
  node: Type.String({
    minLength: 1,
    maxLength: 60,
    description: `The start node, \`kind:id\`; kinds: ${LINEAGE_NODE_KINDS.map((k) => `\`${k}\``).join(', ')}.`,
    examples: ['road-model:12'],
  }),
  direction: Type.Optional(
    StringEnum(LINEAGE_DIRECTIONS, {
      default: 'upstream',
      description: '`upstream` walks toward the race (a road model\'s technologies, their runs and programs); `downstream` toward the road (what a program, prototype or run feeds).',
    }),
  ),
  depth: Type.Optional(
    Type.Integer({ minimum: LINEAGE_MIN_DEPTH, maximum: LINEAGE_MAX_DEPTH, default: LINEAGE_MIN_DEPTH, description: 'Hops from the start node.' }),
  ),
  kinds: Type.Optional(
    Type.Array(Type.String({ maxLength: 200 }), {
      maxItems: 20,
      description:
        'Node kinds to show (comma-separated or repeated; default all). A path through a hidden kind comes back as an implied edge.',
      examples: [['technology,road-model']],
    }),
  ),
  expand: Type.Optional(
    Type.Array(Type.String({ maxLength: 4000 }), {
      maxItems: 200,
      description:
        'Technology node ids (`technology:5`, or the group id `run-group:5`; comma-separated or repeated) whose runs are listed one by one instead of as a group.',
      examples: [['technology:5']],
    }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: LINEAGE_MAX_LIMIT, default: LINEAGE_DEFAULT_LIMIT, description: 'Most nodes to return; beyond it the result is `truncated`.' }),
  ),
});
