// The demo data as typed facts (DESIGN §7). Series, programs, cars, road models and the plan are
// public facts; prototypes, test runs, measurements and most dates are invented, plausibly.
import type {
  EVIDENCE_OUTCOMES,
  POWERTRAINS,
  PROGRAM_STATUSES,
  PROTOTYPE_KINDS,
  ROAD_MODEL_STATUSES,
  TECHNOLOGY_DOMAINS,
  TRANSFER_STAGES,
  VENUE_TYPES,
} from './schema.js';

export type VenueType = (typeof VENUE_TYPES)[number];
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];
export type PrototypeKind = (typeof PROTOTYPE_KINDS)[number];
export type TechnologyDomain = (typeof TECHNOLOGY_DOMAINS)[number];
export type Powertrain = (typeof POWERTRAINS)[number];
export type RoadModelStatus = (typeof ROAD_MODEL_STATUSES)[number];
export type TransferStage = (typeof TRANSFER_STAGES)[number];
export type Outcome = (typeof EVIDENCE_OUTCOMES)[number];

/** Runs end on or before this instant, whatever the clock says: the seed is the same every time. */
export const SEED_NOW = '2026-11-01T00:00:00.000Z';
export const SEED_PRNG_SEED = 20261101;
export const DEMO_NOTE = 'Demo data';

// ---------------------------------------------------------------------------------------------
// Series and programs

export interface SeriesFact {
  key: string;
  name: string;
  description: string;
}

export const SERIES: SeriesFact[] = [
  {
    key: 'FE',
    name: 'Formula E',
    description:
      "ABB FIA Formula E World Championship. Nissan entered in season 5 (2018-19), the first Japanese manufacturer, with its own motor, inverter and transmission. Oliver Rowland (Nissan) won the 2024-25 drivers' title.",
  },
  {
    key: 'SGT',
    name: 'Super GT',
    description:
      'Japanese GT championship (GT500, GT300). Nissan Z NISMO GT500 from 2024 (Z GT500 from 2022, GT-R GT500 2008–2021); customer Nissan GT-R NISMO GT3 in GT300. スーパーGT。',
  },
  {
    key: 'ST',
    name: 'Super Taikyu',
    description:
      'Japanese endurance series (スーパー耐久). NISMO runs the Nissan Z Racing Concept in the ST-Q development class on carbon-neutral fuel.',
  },
];

export interface ProgramFact {
  key: string;
  series: string;
  season: string;
  start_year: number;
  end_year: number;
  class: string | null;
  entry: string;
  car: string;
  status: ProgramStatus;
}

function feSeason(n: number, entry: string, car: string, status: ProgramStatus, key = `FE-S${n}`): ProgramFact {
  const start = 2013 + n;
  return {
    key,
    series: 'FE',
    season: `${start}-${String(start + 1).slice(2)}`,
    start_year: start,
    end_year: start + 1,
    class: null,
    entry,
    car,
    status,
  };
}

const GT500_CARS = [
  { number: 3, entry: '#3 NDDP Racing' },
  { number: 12, entry: '#12 Team Impul' },
  { number: 23, entry: '#23 NISMO' },
  { number: 24, entry: '#24 Kondo Racing' },
] as const;

export const GT500_YEARS = [2022, 2023, 2024, 2025, 2026] as const;
export const GT300_YEARS = [2022, 2023, 2024, 2025, 2026] as const;
export const ST_YEARS = [2022, 2023, 2024, 2025, 2026] as const;

/** Super GT and Super Taikyu seasons are calendar years; the 2026 seasons ended by early November. */
function yearStatus(year: number): ProgramStatus {
  return year <= 2026 ? 'completed' : 'planned';
}

export const gt500Key = (year: number, car: number) => `GT500-${year}-${car}`;
export const gt300Key = (year: number) => `GT300-${year}-56`;
export const stKey = (year: number) => `ST-${year}-230`;

export const PROGRAMS: ProgramFact[] = [
  feSeason(5, 'Nissan e.dams', 'Nissan IM01', 'completed'),
  feSeason(6, 'Nissan e.dams', 'Nissan IM02', 'completed'),
  feSeason(7, 'Nissan e.dams', 'Nissan IM03', 'completed'),
  feSeason(8, 'Nissan e.dams', 'Nissan IM03', 'completed'),
  feSeason(9, 'Nissan Formula E Team', 'Nissan e-4ORCE 04', 'completed'),
  feSeason(10, 'Nissan Formula E Team', 'Nissan e-4ORCE 04', 'completed'),
  feSeason(9, 'NEOM McLaren Formula E Team', 'Nissan e-4ORCE 04', 'completed', 'FE-MCL-S9'),
  feSeason(10, 'NEOM McLaren Formula E Team', 'Nissan e-4ORCE 04', 'completed', 'FE-MCL-S10'),
  feSeason(11, 'Nissan Formula E Team', 'Nissan e-4ORCE 05', 'completed'),
  feSeason(12, 'Nissan Formula E Team', 'Nissan e-4ORCE 05', 'completed'),
  // Gen4 era: the season opens in December 2026; development and pre-season testing are under way.
  feSeason(13, 'Nissan Formula E Team', 'Nissan Gen4 race car', 'active'),
  ...GT500_YEARS.flatMap((year) =>
    GT500_CARS.map(
      (car): ProgramFact => ({
        key: gt500Key(year, car.number),
        series: 'SGT',
        season: String(year),
        start_year: year,
        end_year: year,
        class: 'GT500',
        entry: car.entry,
        car: year < 2024 ? 'Nissan Z GT500' : 'Nissan Z NISMO GT500',
        status: yearStatus(year),
      }),
    ),
  ),
  // The GT-R NISMO GT3 programme whose turbochargers went into the 2014 GT-R NISMO road car.
  {
    key: 'GT300-2013',
    series: 'SGT',
    season: '2013',
    start_year: 2013,
    end_year: 2013,
    class: 'GT300',
    entry: 'NISMO GT3 customer programme',
    car: 'Nissan GT-R NISMO GT3',
    status: 'completed',
  },
  ...GT300_YEARS.map(
    (year): ProgramFact => ({
      key: gt300Key(year),
      series: 'SGT',
      season: String(year),
      start_year: year,
      end_year: year,
      class: 'GT300',
      entry: '#56 Kondo Racing',
      car: 'Nissan GT-R NISMO GT3',
      status: yearStatus(year),
    }),
  ),
  ...ST_YEARS.map(
    (year): ProgramFact => ({
      key: stKey(year),
      series: 'ST',
      season: String(year),
      start_year: year,
      end_year: year,
      class: 'ST-Q',
      entry: '#230 NISMO',
      car: 'Nissan Z Racing Concept',
      status: yearStatus(year),
    }),
  ),
];

// ---------------------------------------------------------------------------------------------
// Technology categories and technologies

export interface CategoryFact {
  key: string;
  name: string;
  description: string;
  venue_types: VenueType[];
}

export const CATEGORIES: CategoryFact[] = [
  {
    key: 'aero',
    name: 'Aerodynamics',
    description: 'Downforce, drag and cooling flows. 空力開発。',
    venue_types: ['wind_tunnel', 'track', 'race_event'],
  },
  {
    key: 'edrive',
    name: 'Inverter & e-drive',
    description: 'Motors, inverters, transmissions and their control.',
    venue_types: ['dyno', 'hil', 'track', 'race_event'],
  },
  {
    key: 'brakes',
    name: 'Brakes & energy recovery',
    description: 'Regenerative braking, brake-by-wire and brake cooling.',
    venue_types: ['dyno', 'hil', 'track', 'race_event'],
  },
  {
    key: 'tyres',
    name: 'Tyres & vehicle dynamics',
    description: 'Tyre thermal and wear behaviour, grip and balance. タイヤと車両運動。',
    venue_types: ['track', 'race_event', 'bench'],
  },
  {
    key: 'battery',
    name: 'Battery & energy storage',
    description: 'Cells, packs and their thermal management. 電池。',
    venue_types: ['bench', 'dyno'],
  },
  {
    key: 'vcs',
    name: 'Vehicle control software',
    description: 'Torque vectoring (e-4ORCE), energy management, traction and launch control.',
    venue_types: ['sil', 'hil', 'simulator', 'track'],
  },
  {
    key: 'ice',
    name: 'Combustion engine & turbocharging',
    description: 'Engines, turbochargers, boost and fuel-flow control.',
    venue_types: ['dyno', 'track', 'race_event'],
  },
  {
    key: 'sound',
    name: 'Sound & driver feedback',
    description: 'Synthesised and acoustic vehicle sound, driver feedback.',
    venue_types: ['bench', 'track'],
  },
  {
    key: 'fuels',
    name: 'Sustainable fuels',
    description: 'Carbon-neutral fuels and their calibration. カーボンニュートラル燃料。',
    venue_types: ['dyno', 'bench', 'track', 'race_event'],
  },
];

export interface TechnologyFact {
  key: string;
  name: string;
  domain: TechnologyDomain;
  category: string;
  description: string;
  origin: string | null;
  owner: string;
  derived_from: string[];
}

const FE_POWERTRAIN = 'Nissan Formula E Team – powertrain';
const FE_VEHICLE = 'Nissan Formula E Team – vehicle performance';
const NISMO_GT = 'NISMO – Super GT engineering';
const NISMO_ROAD = 'NISMO road car development';
const NISSAN_EV = 'Nissan EV powertrain engineering';
const RESEARCH = 'Nissan Research Center';

/** In dependency order: every `derived_from` names a technology listed above it. */
export const TECHNOLOGIES: TechnologyFact[] = [
  // Formula E
  {
    key: 'fe_inv2',
    name: 'FE inverter (Gen2)',
    domain: 'hardware',
    category: 'edrive',
    description: "Nissan's own race inverter for the Gen2 cars (IM01–IM03).",
    origin: 'FE-S5',
    owner: FE_POWERTRAIN,
    derived_from: [],
  },
  {
    key: 'fe_trans2',
    name: 'FE transmission (Gen2)',
    domain: 'hardware',
    category: 'edrive',
    description: 'Single-speed race transmission developed in house for the IM01.',
    origin: 'FE-S5',
    owner: FE_POWERTRAIN,
    derived_from: [],
  },
  {
    key: 'fe_energy',
    name: 'FE energy management software',
    domain: 'software',
    category: 'vcs',
    description: 'Race energy targeting, lift-and-coast and regeneration strategy. レース中の電力量マネジメント。',
    origin: 'FE-S5',
    owner: FE_VEHICLE,
    derived_from: [],
  },
  {
    key: 'fe_motor2',
    name: 'FE twin-motor powertrain (IM02)',
    domain: 'hardware',
    category: 'edrive',
    description: 'Twin-motor rear powertrain of the IM02.',
    origin: 'FE-S6',
    owner: FE_POWERTRAIN,
    derived_from: ['fe_inv2', 'fe_trans2'],
  },
  {
    key: 'fe_inv3',
    name: 'FE inverter (Gen3)',
    domain: 'hardware',
    category: 'edrive',
    description: 'Inverter of the Nissan e-4ORCE 04 rear powertrain (300 kW race, 350 kW qualifying).',
    origin: 'FE-S9',
    owner: FE_POWERTRAIN,
    derived_from: ['fe_inv2'],
  },
  {
    key: 'fe_motor3',
    name: 'FE rear motor (Gen3)',
    domain: 'hardware',
    category: 'edrive',
    description: 'Rear motor-generator of the Nissan e-4ORCE 04.',
    origin: 'FE-S9',
    owner: FE_POWERTRAIN,
    derived_from: ['fe_motor2'],
  },
  {
    key: 'fe_front_regen',
    name: 'FE front-axle regeneration (Gen3)',
    domain: 'hardware',
    category: 'brakes',
    description: 'Front motor for regeneration: up to 600 kW total regeneration, no rear friction brakes.',
    origin: 'FE-S9',
    owner: FE_POWERTRAIN,
    derived_from: [],
  },
  {
    key: 'fe_bbw',
    name: 'FE brake-by-wire regen blending',
    domain: 'software',
    category: 'brakes',
    description: 'Blends front and rear regeneration with the front friction brakes. 回生協調ブレーキ制御。',
    origin: 'FE-S9',
    owner: FE_VEHICLE,
    derived_from: ['fe_energy'],
  },
  {
    key: 'e4_race',
    name: 'e-4ORCE torque vectoring (race)',
    domain: 'software',
    category: 'vcs',
    description: 'Front/rear torque and regeneration split of the Gen3 car; the basis of the Gen3 Evo four-wheel-drive deployment.',
    origin: 'FE-S9',
    owner: FE_VEHICLE,
    derived_from: ['fe_energy'],
  },
  {
    key: 'fe_tyre',
    name: 'FE tyre thermal model',
    domain: 'software',
    category: 'tyres',
    description: 'Predicts tyre temperature and wear on the Gen3 all-weather tyre. タイヤ温度と摩耗の予測モデル。',
    origin: 'FE-S9',
    owner: FE_VEHICLE,
    derived_from: [],
  },
  {
    key: 'fe_aero',
    name: 'FE low-drag aero concepts',
    domain: 'hardware',
    category: 'aero',
    description: 'Low-drag front and rear aero concepts from the Gen3 efficiency work (wind tunnel and track).',
    origin: 'FE-S9',
    owner: FE_VEHICLE,
    derived_from: [],
  },
  {
    key: 'fe_sound',
    name: 'Formula E sound signature',
    domain: 'software',
    category: 'sound',
    description: 'The recorded and analysed sound of the Gen3 race car, used as a design reference.',
    origin: 'FE-S9',
    owner: FE_VEHICLE,
    derived_from: [],
  },
  {
    key: 'fe_batt',
    name: 'FE battery thermal management',
    domain: 'software',
    category: 'battery',
    description: 'Cell temperature prediction and cooling strategy for race energy delivery.',
    origin: 'FE-S9',
    owner: FE_POWERTRAIN,
    derived_from: [],
  },
  {
    key: 'fe_inv3evo',
    name: 'FE inverter (Gen3 Evo)',
    domain: 'hardware',
    category: 'edrive',
    description: 'Revised inverter for the Nissan e-4ORCE 05.',
    origin: 'FE-S11',
    owner: FE_POWERTRAIN,
    derived_from: ['fe_inv3'],
  },
  {
    key: 'fe_awd05',
    name: 'e-4ORCE 05 AWD deployment control',
    domain: 'software',
    category: 'vcs',
    description: 'Four-wheel drive at starts, qualifying duels and Attack Mode; 0–100 km/h in 1.82 s.',
    origin: 'FE-S11',
    owner: FE_VEHICLE,
    derived_from: ['e4_race'],
  },
  {
    key: 'fe_gen4',
    name: 'Gen4 motor-generator unit',
    domain: 'hardware',
    category: 'edrive',
    description: 'Development motor-generator for the 2026-27 Gen4 car with permanent four-wheel drive.',
    origin: 'FE-S13',
    owner: FE_POWERTRAIN,
    derived_from: ['fe_motor3', 'fe_front_regen'],
  },
  // Super GT and Super Taikyu
  {
    key: 'gt3_turbo',
    name: 'GT3 turbocharger',
    domain: 'hardware',
    category: 'ice',
    description: 'Race-spec turbochargers of the Nissan GT-R NISMO GT3.',
    origin: 'GT300-2013',
    owner: 'NISMO – GT3 customer racing',
    derived_from: [],
  },
  {
    key: 'gt500_engine',
    name: 'GT500 2.0 L turbo four (NR4S21)',
    domain: 'hardware',
    category: 'ice',
    description: 'GT500 2.0 L直列4気筒ターボエンジン。Fuel-flow restricted, direct injection.',
    origin: gt500Key(2022, 23),
    owner: NISMO_GT,
    derived_from: [],
  },
  {
    key: 'gt500_boost',
    name: 'GT500 boost & fuel-flow control',
    domain: 'software',
    category: 'ice',
    description: 'Boost and fuel-flow control under the GT500 fuel-flow limit. ブースト圧制御。',
    origin: gt500Key(2022, 23),
    owner: NISMO_GT,
    derived_from: ['gt500_engine'],
  },
  {
    key: 'gt500_aero22',
    name: 'Z GT500 aero package (2022)',
    domain: 'hardware',
    category: 'aero',
    description: 'Body and underfloor aero of the first Nissan Z GT500.',
    origin: gt500Key(2022, 23),
    owner: NISMO_GT,
    derived_from: [],
  },
  {
    key: 'gt500_aero24',
    name: 'Z NISMO GT500 aero package',
    domain: 'hardware',
    category: 'aero',
    description: 'Revised nose and rear aero of the Z NISMO GT500 (2024).',
    origin: gt500Key(2024, 23),
    owner: NISMO_GT,
    derived_from: ['gt500_aero22'],
  },
  {
    key: 'gt500_tyre',
    name: 'GT500 tyre wear model',
    domain: 'software',
    category: 'tyres',
    description: 'タイヤ摩耗の予測モデル: stint length and pit strategy from tyre temperatures and wear.',
    origin: gt500Key(2022, 23),
    owner: NISMO_GT,
    derived_from: [],
  },
  {
    key: 'gt500_brake',
    name: 'GT500 brake cooling',
    domain: 'hardware',
    category: 'brakes',
    description: 'Brake duct and caliper cooling layout of the Z GT500.',
    origin: gt500Key(2022, 23),
    owner: NISMO_GT,
    derived_from: [],
  },
  {
    key: 'st_fuel',
    name: 'Carbon-neutral fuel calibration (ST-Q)',
    domain: 'software',
    category: 'fuels',
    description: 'Engine calibration for carbon-neutral fuel on the Nissan Z Racing Concept.',
    origin: stKey(2022),
    owner: 'NISMO – Super Taikyu',
    derived_from: [],
  },
  // Research
  {
    key: 'ssb_cell',
    name: 'All-solid-state battery cell (research)',
    domain: 'hardware',
    category: 'battery',
    description: '全固体電池セルの研究。Laminated all-solid-state cells from the Yokohama pilot line.',
    origin: null,
    owner: RESEARCH,
    derived_from: [],
  },
  // Road versions
  {
    key: 'road_inv',
    name: 'Road e-4ORCE inverter',
    domain: 'hardware',
    category: 'edrive',
    description: 'Road inverter of the e-4ORCE twin-motor system, derived from the Gen3 race inverter.',
    origin: null,
    owner: NISSAN_EV,
    derived_from: ['fe_inv3'],
  },
  {
    key: 'gtr_turbo',
    name: 'GT-R NISMO turbocharger (2014)',
    domain: 'hardware',
    category: 'ice',
    description: 'The 2014 GT-R NISMO used GT3-race-spec turbochargers.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt3_turbo'],
  },
  {
    key: 'note_tune',
    name: 'Note Aura NISMO e-POWER tuning',
    domain: 'software',
    category: 'vcs',
    description: 'NISMOモードのアクセルレスポンスと回生の制御。',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_energy'],
  },
  {
    key: 'z_cal',
    name: 'Z NISMO engine calibration',
    domain: 'software',
    category: 'ice',
    description: 'VR30DDTT boost and ignition calibration for the Z NISMO.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt500_boost'],
  },
  {
    key: 'z_brake',
    name: 'Z NISMO brake cooling',
    domain: 'hardware',
    category: 'brakes',
    description: 'Brake cooling ducts following the GT500 layout.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt500_brake'],
  },
  {
    key: 'z_aero',
    name: 'Z NISMO race-derived aero',
    domain: 'hardware',
    category: 'aero',
    description: 'Front fascia, rear wing and diffuser developed from the Z GT500.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt500_aero22'],
  },
  {
    key: 'sky_cal',
    name: 'Skyline NISMO turbo calibration',
    domain: 'software',
    category: 'ice',
    description: 'Boost and ignition calibration of the Skyline NISMO (420 PS).',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt500_boost', 'gt3_turbo'],
  },
  {
    key: 'ariya_e4',
    name: 'Ariya NISMO e-4ORCE tuning',
    domain: 'software',
    category: 'vcs',
    description: 'e-4ORCE tuned by NISMO: torque split and cornering response from the race torque vectoring.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['e4_race'],
  },
  {
    key: 'ariya_tyre',
    name: 'Ariya NISMO tyre',
    domain: 'hardware',
    category: 'tyres',
    description: 'Tyre developed with Formula E technology (thermal model from the Gen3 programme).',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_tyre'],
  },
  {
    key: 'ariya_aero',
    name: 'Ariya NISMO aero kit',
    domain: 'hardware',
    category: 'aero',
    description: 'Race-derived front spoiler, side sills and rear spoiler: more downforce at the same drag.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_aero'],
  },
  {
    key: 'ariya_sound',
    name: 'Ariya NISMO Formula-E-inspired sound',
    domain: 'software',
    category: 'sound',
    description: 'Formula-E-inspired sound that follows acceleration. フォーミュラEをイメージしたサウンド。',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_sound'],
  },
  {
    key: 'ariya_boost',
    name: 'Ariya NISMO boost mode',
    domain: 'software',
    category: 'vcs',
    description: 'Short power boost in NISMO mode, from race energy deployment.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_energy', 'fe_batt'],
  },
  {
    key: 'xtrail_e4',
    name: 'X-Trail NISMO e-4ORCE calibration',
    domain: 'software',
    category: 'vcs',
    description: 'e-4ORCE torque split for the X-Trail NISMO e-POWER.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['e4_race'],
  },
  {
    key: 'patrol_cal',
    name: 'Patrol NISMO twin-turbo calibration',
    domain: 'software',
    category: 'ice',
    description: 'Twin-turbo V6 boost calibration of the Patrol NISMO, from GT500 boost control.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt500_boost'],
  },
  {
    key: 'leaf_motor',
    name: 'Leaf NISMO motor & regen control',
    domain: 'software',
    category: 'edrive',
    description: 'Motor response and one-pedal regeneration for the Leaf NISMO.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_bbw', 'fe_energy'],
  },
  {
    key: 'micra_sound',
    name: 'Micra NISMO sound & chassis tuning',
    domain: 'software',
    category: 'sound',
    description: 'Sound and chassis character for a Micra NISMO on the Alpine A290 base.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_sound'],
  },
  {
    key: 'hf_ssb',
    name: 'Hyper Force all-solid-state battery pack',
    domain: 'hardware',
    category: 'battery',
    description: 'All-solid-state battery pack for the Hyper Force concept (1,000 kW).',
    origin: null,
    owner: RESEARCH,
    derived_from: ['ssb_cell', 'fe_batt'],
  },
  {
    key: 'hf_e4',
    name: 'Hyper Force e-4ORCE (1,000 kW)',
    domain: 'software',
    category: 'vcs',
    description: 'High-output e-4ORCE control for the Hyper Force concept.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['fe_awd05', 'e4_race'],
  },
  {
    key: 'hf_aero',
    name: 'Hyper Force active aero',
    domain: 'hardware',
    category: 'aero',
    description: 'Active aero developed with NISMO: GT500 downforce concepts with Formula E drag targets.',
    origin: null,
    owner: NISMO_ROAD,
    derived_from: ['gt500_aero24', 'fe_aero'],
  },
];

// ---------------------------------------------------------------------------------------------
// Markets, road models, transfers, plan

export interface MarketFact {
  code: string;
  name: string;
}

export const MARKETS: MarketFact[] = [
  { code: 'JP', name: 'Japan' },
  { code: 'US', name: 'United States' },
  { code: 'EU', name: 'Europe' },
  { code: 'GCC', name: 'Gulf Cooperation Council' },
  { code: 'CN', name: 'China' },
  { code: 'AU', name: 'Australia' },
];

export type MarketCode = 'JP' | 'US' | 'EU' | 'GCC' | 'CN' | 'AU';

export interface RoadModelFact {
  key: string;
  name: string;
  base_model: string;
  powertrain: Powertrain;
  status: RoadModelStatus;
  launch_date: string | null;
  end_date: string | null;
  partner: string | null;
  description: string;
  /** Planned units per year and market. */
  units: Record<number, Partial<Record<MarketCode, number>>>;
}

export const ROAD_MODELS: RoadModelFact[] = [
  {
    key: 'ariya',
    name: 'Ariya NISMO',
    base_model: 'Nissan Ariya e-4ORCE',
    powertrain: 'ev',
    status: 'production',
    launch_date: '2024-06-01',
    end_date: null,
    partner: null,
    description:
      'EV with 66 and 91 kWh batteries; e-4ORCE tuned by NISMO, tyres developed with Formula E technology, race-derived aero and a Formula-E-inspired sound.',
    units: {
      2025: { JP: 9000, EU: 5000, GCC: 800, AU: 1200 },
      2026: { JP: 9500, EU: 5500, GCC: 900, AU: 1400 },
      2027: { JP: 9500, EU: 6000, GCC: 1000, AU: 1600, CN: 1000 },
      2028: { JP: 11000, EU: 6000, GCC: 1100, AU: 1800, CN: 1000 },
    },
  },
  {
    key: 'note',
    name: 'Note Aura NISMO',
    base_model: 'Nissan Note Aura',
    powertrain: 'e_power',
    status: 'production',
    launch_date: '2021-08-01',
    end_date: null,
    partner: null,
    description: 'e-POWER hatchback with NISMO tuning. ノートオーラNISMO：NISMOモード専用チューニング。',
    units: {
      2025: { JP: 46000 },
      2026: { JP: 47000 },
      2027: { JP: 47000 },
      2028: { JP: 48000 },
    },
  },
  {
    key: 'z',
    name: 'Z NISMO',
    base_model: 'Nissan Z',
    powertrain: 'ice',
    status: 'production',
    launch_date: '2023-08-01',
    end_date: null,
    partner: null,
    description: '3.0 L twin-turbo V6 (VR30DDTT), 2024 model year; aero, cooling and calibration from the Z GT500.',
    units: {
      2025: { JP: 2500, US: 4000, GCC: 600, AU: 700 },
      2026: { JP: 2500, US: 4000, GCC: 600, AU: 700 },
      2027: { JP: 2300, US: 3800, GCC: 600, AU: 600 },
      2028: { JP: 2500, US: 3500, GCC: 500, AU: 500 },
    },
  },
  {
    key: 'gtr',
    name: 'GT-R NISMO',
    base_model: 'Nissan GT-R (R35)',
    powertrain: 'ice',
    status: 'discontinued',
    launch_date: '2014-02-01',
    end_date: '2025-08-31',
    partner: null,
    description: 'The 2014 car used GT3-race-spec turbochargers. R35 production ended in August 2025.',
    units: {
      2025: { JP: 1500, US: 600, GCC: 400 },
    },
  },
  {
    key: 'patrol',
    name: 'Patrol NISMO',
    base_model: 'Nissan Patrol',
    powertrain: 'ice',
    status: 'production',
    launch_date: '2021-02-01',
    end_date: null,
    partner: null,
    description: 'NISMO version of the Patrol for the Gulf markets; the new generation has a 3.5 L twin-turbo V6.',
    units: {
      2025: { GCC: 33000 },
      2026: { GCC: 34000, AU: 1500 },
      2027: { GCC: 33000, AU: 2000 },
      2028: { GCC: 33000, AU: 2000 },
    },
  },
  {
    key: 'skyline',
    name: 'Skyline NISMO',
    base_model: 'Nissan Skyline 400R',
    powertrain: 'ice',
    status: 'discontinued',
    launch_date: '2023-09-01',
    end_date: '2024-12-31',
    partner: null,
    description: 'Limited-run Skyline NISMO (420 PS), sold in Japan. スカイラインNISMO（限定車）。',
    units: {},
  },
  {
    key: 'xtrail',
    name: 'X-Trail NISMO',
    base_model: 'Nissan X-Trail e-POWER e-4ORCE',
    powertrain: 'e_power',
    status: 'production',
    launch_date: '2026-02-01',
    end_date: null,
    partner: null,
    description: 'e-POWER SUV with e-4ORCE calibrated by NISMO.',
    units: {
      2026: { JP: 8000, AU: 800 },
      2027: { JP: 9000, AU: 1500, EU: 2500 },
      2028: { JP: 11000, AU: 1500, EU: 2000 },
    },
  },
  {
    key: 'armada',
    name: 'Armada NISMO',
    base_model: 'Nissan Armada',
    powertrain: 'ice',
    status: 'production',
    launch_date: '2026-04-01',
    end_date: null,
    partner: null,
    description: 'North-American sister of the Patrol NISMO.',
    units: {
      2026: { US: 5000 },
      2027: { US: 6000 },
      2028: { US: 6000 },
    },
  },
  {
    key: 'leaf',
    name: 'Leaf NISMO',
    base_model: 'Nissan Leaf (third generation)',
    powertrain: 'ev',
    status: 'development',
    launch_date: '2027-04-01',
    end_date: null,
    partner: null,
    description: 'NISMO version of the third-generation Leaf; the first Leaf NISMO (2018) was a Japan-market model.',
    units: {
      2027: { JP: 3000, EU: 2000, US: 1500 },
      2028: { JP: 6000, EU: 2500, US: 1500 },
    },
  },
  {
    key: 'micra',
    name: 'Micra NISMO',
    base_model: 'Alpine A290',
    powertrain: 'ev',
    status: 'planned',
    launch_date: '2027-10-01',
    end_date: null,
    partner: 'Renault / Alpine',
    description: 'Speculative: a Micra NISMO built on the Alpine A290, with Renault/Alpine as partner.',
    units: {
      2027: { EU: 1000 },
      2028: { EU: 3500, JP: 2000 },
    },
  },
  {
    key: 'qashqai',
    name: 'Qashqai NISMO',
    base_model: 'Nissan Qashqai e-POWER',
    powertrain: 'e_power',
    status: 'planned',
    launch_date: '2028-03-01',
    end_date: null,
    partner: null,
    description: 'Planned European NISMO model on the Qashqai e-POWER.',
    units: {
      2028: { EU: 3000 },
    },
  },
  {
    key: 'kicks',
    name: 'Kicks NISMO',
    base_model: 'Nissan Kicks',
    powertrain: 'ice',
    status: 'planned',
    launch_date: '2028-06-01',
    end_date: null,
    partner: null,
    description: 'Planned NISMO version of the Kicks for the Americas and the Gulf.',
    units: {
      2028: { US: 1500, GCC: 500 },
    },
  },
  {
    key: 'hyperforce',
    name: 'Hyper Force',
    base_model: '',
    powertrain: 'ev',
    status: 'concept',
    launch_date: null,
    end_date: null,
    partner: null,
    description:
      'Concept (Japan Mobility Show 2023): 1,000 kW, all-solid-state battery, e-4ORCE, aero developed with NISMO. ハイパーフォース。',
    units: {},
  },
];

export interface TransferFact {
  technology: string;
  road_model: string;
  stage: TransferStage;
  rationale: string;
  decided_on: string | null;
}

export const TRANSFERS: TransferFact[] = [
  {
    technology: 'ariya_e4',
    road_model: 'ariya',
    stage: 'in_production',
    rationale: 'Race torque-vectoring logic gives sharper turn-in; validated on ARIYA-NISMO prototypes at Tochigi and Fuji.',
    decided_on: '2023-05-15',
  },
  {
    technology: 'ariya_tyre',
    road_model: 'ariya',
    stage: 'in_production',
    rationale: 'Formula E tyre thermal model sets the compound window for the NISMO tyre.',
    decided_on: '2023-04-20',
  },
  {
    technology: 'ariya_aero',
    road_model: 'ariya',
    stage: 'in_production',
    rationale: 'Race-derived aero adds downforce without a range penalty (drag unchanged in the tunnel).',
    decided_on: '2023-03-10',
  },
  {
    technology: 'ariya_sound',
    road_model: 'ariya',
    stage: 'in_production',
    rationale: 'Formula-E-inspired sound, clinic-approved in Japan and Europe.',
    decided_on: '2023-06-01',
  },
  {
    technology: 'ariya_boost',
    road_model: 'ariya',
    stage: 'in_production',
    rationale: 'Boost deployment borrowed from race energy management; battery thermal limits checked on the bench.',
    decided_on: '2023-07-12',
  },
  {
    technology: 'road_inv',
    road_model: 'ariya',
    stage: 'in_production',
    rationale: 'Shared with the Ariya e-4ORCE; NISMO software raises the output limit.',
    decided_on: '2023-02-01',
  },
  {
    technology: 'gtr_turbo',
    road_model: 'gtr',
    stage: 'in_production',
    rationale: 'GT3-race-spec turbochargers for the 2014 GT-R NISMO (600 PS).',
    decided_on: '2013-06-28',
  },
  {
    technology: 'z_cal',
    road_model: 'z',
    stage: 'in_production',
    rationale: 'GT500 boost control strategy adapted to the VR30DDTT.',
    decided_on: '2022-10-20',
  },
  {
    technology: 'z_brake',
    road_model: 'z',
    stage: 'in_production',
    rationale: 'GT500 duct layout keeps brake temperatures within limits on a circuit lap.',
    decided_on: '2022-11-15',
  },
  {
    technology: 'z_aero',
    road_model: 'z',
    stage: 'in_production',
    rationale: 'Z GT500 aero concepts reduce lift at the rear.',
    decided_on: '2022-09-30',
  },
  {
    technology: 'gt500_tyre',
    road_model: 'z',
    stage: 'candidate',
    rationale: 'Could give Z NISMO owners tyre guidance for track days.',
    decided_on: null,
  },
  {
    technology: 'note_tune',
    road_model: 'note',
    stage: 'in_production',
    rationale: 'Race energy deployment logic for the NISMO drive mode.',
    decided_on: '2021-04-15',
  },
  {
    technology: 'sky_cal',
    road_model: 'skyline',
    stage: 'in_production',
    rationale: 'GT500 and GT3 turbo know-how for the 420 PS calibration.',
    decided_on: '2023-04-10',
  },
  {
    technology: 'xtrail_e4',
    road_model: 'xtrail',
    stage: 'in_production',
    rationale: 'e-4ORCE race torque split for a sportier X-Trail NISMO.',
    decided_on: '2025-06-30',
  },
  {
    technology: 'patrol_cal',
    road_model: 'patrol',
    stage: 'approved',
    rationale: 'GT500 boost control for the new 3.5 L twin-turbo V6; desert heat validation done.',
    decided_on: '2025-03-18',
  },
  {
    technology: 'patrol_cal',
    road_model: 'armada',
    stage: 'evaluation',
    rationale: 'Same engine as the Patrol NISMO; US fuel quality to be checked.',
    decided_on: '2025-09-05',
  },
  {
    technology: 'leaf_motor',
    road_model: 'leaf',
    stage: 'evaluation',
    rationale: 'Race regen blending for one-pedal driving on the Leaf NISMO.',
    decided_on: '2025-11-10',
  },
  {
    technology: 'road_inv',
    road_model: 'leaf',
    stage: 'candidate',
    rationale: 'Higher output limit for the Leaf NISMO drive unit.',
    decided_on: null,
  },
  {
    technology: 'road_inv',
    road_model: 'micra',
    stage: 'rejected',
    rationale: "The Alpine A290 base uses the Renault group's own drive unit; a Nissan inverter does not fit it.",
    decided_on: '2025-10-02',
  },
  {
    technology: 'micra_sound',
    road_model: 'micra',
    stage: 'candidate',
    rationale: 'A NISMO character on a partner platform: sound and chassis tuning only.',
    decided_on: null,
  },
  {
    technology: 'hf_ssb',
    road_model: 'hyperforce',
    stage: 'evaluation',
    rationale: 'All-solid-state battery for 1,000 kW: cell durability still under test.',
    decided_on: '2024-05-20',
  },
  {
    technology: 'hf_e4',
    road_model: 'hyperforce',
    stage: 'evaluation',
    rationale: 'Gen3 Evo AWD deployment scaled to 1,000 kW.',
    decided_on: '2024-05-20',
  },
  {
    technology: 'hf_aero',
    road_model: 'hyperforce',
    stage: 'candidate',
    rationale: 'Aero developed with NISMO from GT500 and Formula E work.',
    decided_on: null,
  },
  {
    technology: 'fe_energy',
    road_model: 'qashqai',
    stage: 'candidate',
    rationale: 'Race energy management for an e-POWER NISMO mode in Europe.',
    decided_on: null,
  },
];

export interface PlanTargetFact {
  year: number;
  model_count_target: number;
  units_target: number;
  outside_japan_share_min: number | null;
  outside_japan_share_max: number | null;
  notes: string;
}

export const PLAN_TARGETS: PlanTargetFact[] = [
  {
    year: 2025,
    model_count_target: 5,
    units_target: 100_000,
    outside_japan_share_min: null,
    outside_japan_share_max: null,
    notes: 'Baseline: five Nismo models, about 100,000 units a year (public figures).',
  },
  {
    year: 2026,
    model_count_target: 7,
    units_target: 115_000,
    outside_japan_share_min: 40,
    outside_japan_share_max: 60,
    notes: 'Interpolated between the public 2025 and 2028 figures.',
  },
  {
    year: 2027,
    model_count_target: 8,
    units_target: 130_000,
    outside_japan_share_min: 40,
    outside_japan_share_max: 60,
    notes: 'Interpolated between the public 2025 and 2028 figures.',
  },
  {
    year: 2028,
    model_count_target: 10,
    units_target: 150_000,
    outside_japan_share_min: 40,
    outside_japan_share_max: 60,
    notes: 'Public target: double the range to ten models and 150,000 units, 40–60 % of the growth outside Japan.',
  },
];

// ---------------------------------------------------------------------------------------------
// Prototypes (invented)

export interface PrototypeFact {
  code: string;
  name: string;
  kind: PrototypeKind;
  hardware_revision: string;
  road_model: string | null;
  programs: string[];
}

const FE_GEN3 = ['FE-S9', 'FE-S10', 'FE-S11', 'FE-S12', 'FE-S13'];
const gt500All = GT500_YEARS.flatMap((y) => GT500_CARS.map((c) => gt500Key(y, c.number)));

export const PROTOTYPES: PrototypeFact[] = [
  { code: 'FE-IM01-01', name: 'IM01 race car #1', kind: 'race_car', hardware_revision: 'IM01-C', road_model: null, programs: ['FE-S5'] },
  { code: 'FE-IM02-01', name: 'IM02 race car #1', kind: 'race_car', hardware_revision: 'IM02-B', road_model: null, programs: ['FE-S6'] },
  { code: 'FE-IM03-02', name: 'IM03 race car #2', kind: 'race_car', hardware_revision: 'IM03-D', road_model: null, programs: ['FE-S7', 'FE-S8'] },
  { code: 'FE-E404-22', name: 'e-4ORCE 04 race car #22', kind: 'race_car', hardware_revision: 'E404-F', road_model: null, programs: ['FE-S9', 'FE-S10'] },
  { code: 'FE-E404-MCL', name: 'e-4ORCE 04 McLaren customer car', kind: 'race_car', hardware_revision: 'E404-F', road_model: null, programs: ['FE-MCL-S9', 'FE-MCL-S10'] },
  { code: 'FE-E405-23', name: 'e-4ORCE 05 race car #23', kind: 'race_car', hardware_revision: 'E405-C', road_model: null, programs: ['FE-S11', 'FE-S12'] },
  { code: 'FE-MULE-04', name: 'Gen3 development mule', kind: 'mule', hardware_revision: 'M04-B', road_model: null, programs: ['FE-S9', 'FE-S10'] },
  { code: 'FE-MULE-07', name: 'Gen3 Evo development mule', kind: 'mule', hardware_revision: 'M07-C', road_model: null, programs: ['FE-S11', 'FE-S12'] },
  { code: 'FE-GEN4-01', name: 'Gen4 development car', kind: 'mule', hardware_revision: 'G4-A', road_model: null, programs: ['FE-S13'] },
  {
    code: 'FE-DYNO-03',
    name: 'Formula E powertrain dyno',
    kind: 'dyno_rig',
    hardware_revision: 'D3-2024',
    road_model: null,
    programs: ['FE-S5', 'FE-S6', 'FE-S7', 'FE-S8', ...FE_GEN3],
  },
  { code: 'FE-BATT-BENCH-02', name: 'Race battery thermal bench', kind: 'bench_rig', hardware_revision: 'B2-1', road_model: null, programs: FE_GEN3 },
  { code: 'NTC-HIL-02', name: 'e-4ORCE HIL rig (NTC Atsugi)', kind: 'hil_rig', hardware_revision: 'HIL2-3', road_model: null, programs: FE_GEN3 },
  { code: 'NTC-SIL-01', name: 'Vehicle control SIL cluster', kind: 'simulator', hardware_revision: 'SIL1', road_model: null, programs: FE_GEN3 },
  {
    code: 'NISMO-DIL-01',
    name: 'NISMO driver-in-the-loop simulator',
    kind: 'simulator',
    hardware_revision: 'DIL-2',
    road_model: null,
    programs: [...FE_GEN3, ...GT500_YEARS.map((y) => gt500Key(y, 23))],
  },
  { code: 'AERO-MODEL-40', name: '40 % wind-tunnel model', kind: 'bench_rig', hardware_revision: 'WT40-5', road_model: null, programs: [gt500Key(2022, 23), gt500Key(2024, 23), 'FE-S9'] },
  { code: 'GT500-DYNO-02', name: 'GT500 engine dyno', kind: 'dyno_rig', hardware_revision: 'ED2-2022', road_model: null, programs: gt500All },
  { code: 'GT500-Z23', name: 'Z GT500 #23 chassis', kind: 'race_car', hardware_revision: 'Z500-23', road_model: null, programs: GT500_YEARS.map((y) => gt500Key(y, 23)) },
  { code: 'GT500-Z03', name: 'Z GT500 #3 chassis', kind: 'race_car', hardware_revision: 'Z500-03', road_model: null, programs: GT500_YEARS.map((y) => gt500Key(y, 3)) },
  { code: 'GT500-Z12', name: 'Z GT500 #12 chassis', kind: 'race_car', hardware_revision: 'Z500-12', road_model: null, programs: GT500_YEARS.map((y) => gt500Key(y, 12)) },
  { code: 'GT500-Z24', name: 'Z GT500 #24 chassis', kind: 'race_car', hardware_revision: 'Z500-24', road_model: null, programs: GT500_YEARS.map((y) => gt500Key(y, 24)) },
  { code: 'GT500-TEST-01', name: 'Z GT500 test car', kind: 'mule', hardware_revision: 'Z500-T1', road_model: null, programs: GT500_YEARS.map((y) => gt500Key(y, 23)) },
  { code: 'GT3-DYNO-01', name: 'GT3 engine dyno', kind: 'dyno_rig', hardware_revision: 'VR38-GT3', road_model: null, programs: ['GT300-2013', ...GT300_YEARS.map(gt300Key)] },
  { code: 'GT3-GTR-56', name: 'GT-R NISMO GT3 #56', kind: 'race_car', hardware_revision: 'GT3-2018', road_model: null, programs: GT300_YEARS.map(gt300Key) },
  { code: 'ST-Z230', name: 'Nissan Z Racing Concept #230', kind: 'race_car', hardware_revision: 'ZRC-2', road_model: null, programs: ST_YEARS.map(stKey) },
  { code: 'SSB-BENCH-01', name: 'All-solid-state cell bench (Yokohama)', kind: 'bench_rig', hardware_revision: 'SSB-4', road_model: null, programs: [] },
  { code: 'GTR-NISMO-PT-14', name: 'GT-R NISMO prototype (MY2014)', kind: 'road_prototype', hardware_revision: 'R35N-P2', road_model: 'gtr', programs: [] },
  { code: 'Z-NISMO-PT-02', name: 'Z NISMO prototype 2', kind: 'road_prototype', hardware_revision: 'RZ34N-P2', road_model: 'z', programs: [] },
  { code: 'NOTE-AURA-NISMO-PT-02', name: 'Note Aura NISMO prototype 2', kind: 'road_prototype', hardware_revision: 'FE13N-P2', road_model: 'note', programs: [] },
  { code: 'ARIYA-NISMO-PT-01', name: 'Ariya NISMO prototype 1', kind: 'road_prototype', hardware_revision: 'FE0N-P1', road_model: 'ariya', programs: [] },
  { code: 'ARIYA-NISMO-PT-03', name: 'Ariya NISMO prototype 3', kind: 'road_prototype', hardware_revision: 'FE0N-P3', road_model: 'ariya', programs: [] },
  { code: 'XTRAIL-NISMO-PT-01', name: 'X-Trail NISMO prototype 1', kind: 'road_prototype', hardware_revision: 'T33N-P1', road_model: 'xtrail', programs: [] },
  { code: 'PATROL-NISMO-PT-01', name: 'Patrol NISMO prototype 1', kind: 'road_prototype', hardware_revision: 'Y63N-P1', road_model: 'patrol', programs: [] },
  { code: 'LEAF-NISMO-PT-01', name: 'Leaf NISMO prototype 1', kind: 'road_prototype', hardware_revision: 'ZE2N-P1', road_model: 'leaf', programs: [] },
  { code: 'MICRA-NISMO-PT-01', name: 'Micra NISMO mule on A290', kind: 'road_prototype', hardware_revision: 'A290N-M1', road_model: 'micra', programs: [] },
  { code: 'HYPERFORCE-PT-01', name: 'Hyper Force technology mule', kind: 'road_prototype', hardware_revision: 'HF-M1', road_model: 'hyperforce', programs: [] },
];

// ---------------------------------------------------------------------------------------------
// Test-run campaigns (invented): each generates runs from its sessions with a seeded PRNG.

export interface MeasureSpec {
  name: string;
  unit: string;
  base: number;
  spread: number;
  decimals: number;
  /** For lap times: the LAP_TIMES family giving the venue's typical lap. */
  lap?: string;
}

export interface EventFact {
  location: string;
  date: string;
}

export interface SessionFact {
  venue: VenueType;
  /** Overrides of the campaign's window and programs (`[]`: runs without race context). */
  from?: string;
  to?: string;
  programs?: string[];
  /** Fixed-date sessions (race events); `perEvent` runs each. */
  events?: EventFact[];
  perEvent?: number;
  /** Or `count` runs at random dates of the campaign window, at one of `locations`. */
  locations?: string[];
  count?: number;
  titles: string[];
  objectives: string[];
  technologies: string[];
  measures: MeasureSpec[];
}

export interface CampaignFact {
  prototype: string;
  /** The race context; for a program list the run takes the one whose season covers its date. */
  programs: string[];
  from: string;
  to: string;
  software: string;
  engineers: string[];
  sessions: SessionFact[];
}

const m = (name: string, unit: string, base: number, spread: number, decimals = 1, lap?: string): MeasureSpec => ({
  name,
  unit,
  base,
  spread,
  decimals,
  ...(lap ? { lap } : {}),
});

// Measurement families.
const LAP_FE = m('lap_time', 's', 78, 9, 3, 'fe');
const ENERGY_FE = m('energy_used', 'kWh', 38, 2.5, 2);
const MOTOR_TEMP = m('motor_temp', '°C', 118, 14, 1);
const INV_EFF = m('inverter_efficiency', '%', 97.9, 0.6, 2);
const INV_TEMP = m('inverter_temp', '°C', 82, 9, 1);
const REGEN = m('regen_power', 'kW', 560, 40, 0);
const REGEN_ROAD = m('regen_power', 'kW', 95, 20, 0);
const TYRE_FL = m('tyre_temp_fl', '°C', 52, 8, 1);
const TYRE_WEAR = m('tyre_wear_fl', 'mm', 0.9, 0.3, 2);
const YAW_ERR = m('yaw_rate_error', 'deg/s', 1.2, 0.6, 2);
const TORQUE_RESP = m('torque_response', 'ms', 42, 8, 0);
const ACCEL_FE = m('accel_0_100', 's', 1.9, 0.08, 2);
const CELL_TEMP = m('cell_temp_max', '°C', 54, 6, 1);
const DOWNFORCE_FE = m('downforce', 'N', 2900, 250, 0);
const DRAG_FE = m('drag_coefficient', 'Cd', 0.52, 0.03, 3);
const SOUND = m('sound_level', 'dB(A)', 74, 5, 1);
const LAP_GT = m('lap_time', 's', 90, 12, 3, 'gt500');
const LAP_GT3 = m('lap_time', 's', 100, 12, 3, 'gt3');
const LAP_ST = m('lap_time', 's', 112, 12, 3, 'st');
const BOOST = m('boost_pressure', 'bar', 2.6, 0.2, 2);
const FUEL_FLOW = m('fuel_flow', 'kg/h', 93, 2.5, 1);
const EGT = m('exhaust_gas_temp', '°C', 930, 35, 0);
const POWER_GT = m('engine_power', 'kW', 478, 15, 0);
const TYRE_GT = m('tyre_temp_fl', '°C', 88, 10, 1);
const WEAR_GT = m('tyre_wear_fl', 'mm', 1.6, 0.5, 2);
const BRAKE_TEMP = m('brake_disc_temp', '°C', 720, 80, 0);
const DOWNFORCE_GT = m('downforce', 'N', 14500, 1200, 0);
const DRAG_GT = m('drag_coefficient', 'Cd', 0.62, 0.03, 3);
const LAP_ROAD = m('lap_time', 's', 125, 20, 2, 'road');
const ACCEL_ROAD = m('accel_0_100', 's', 5.0, 0.3, 2);
const DOWNFORCE_ROAD = m('downforce', 'N', 210, 40, 0);
const DRAG_ROAD = m('drag_coefficient', 'Cd', 0.3, 0.015, 3);
const TYRE_ROAD = m('tyre_temp_fl', '°C', 64, 10, 1);
const BOOST_ROAD = m('boost_pressure', 'bar', 1.45, 0.15, 2);
const POWER_ROAD = m('engine_power', 'kW', 309, 8, 0);
const SSB_ENERGY = m('cell_energy_density', 'Wh/L', 760, 60, 0);
const SSB_CYCLES = m('capacity_retention', '%', 93, 4, 1);
const SSB_RATE = m('charge_rate', 'C', 2.4, 0.5, 2);

export const FE_EVENTS: Record<number, EventFact[]> = {
  5: [
    { location: 'Diriyah E-Prix', date: '2018-12-15' },
    { location: 'Marrakesh E-Prix', date: '2019-01-12' },
    { location: 'Santiago E-Prix', date: '2019-01-26' },
    { location: 'Mexico City E-Prix', date: '2019-02-16' },
    { location: 'Hong Kong E-Prix', date: '2019-03-10' },
    { location: 'Sanya E-Prix', date: '2019-03-23' },
    { location: 'Rome E-Prix', date: '2019-04-13' },
    { location: 'Paris E-Prix', date: '2019-04-27' },
    { location: 'Monaco E-Prix', date: '2019-05-11' },
    { location: 'Berlin E-Prix', date: '2019-05-25' },
    { location: 'Bern E-Prix', date: '2019-06-22' },
    { location: 'New York City E-Prix', date: '2019-07-13' },
  ],
  6: [
    { location: 'Diriyah E-Prix', date: '2019-11-22' },
    { location: 'Santiago E-Prix', date: '2020-01-18' },
    { location: 'Mexico City E-Prix', date: '2020-02-15' },
    { location: 'Marrakesh E-Prix', date: '2020-02-29' },
    { location: 'Berlin E-Prix (Tempelhof)', date: '2020-08-05' },
    { location: 'Berlin E-Prix (Tempelhof)', date: '2020-08-08' },
    { location: 'Berlin E-Prix (Tempelhof)', date: '2020-08-12' },
  ],
  7: [
    { location: 'Diriyah E-Prix', date: '2021-02-26' },
    { location: 'Rome E-Prix', date: '2021-04-10' },
    { location: 'Valencia E-Prix', date: '2021-04-24' },
    { location: 'Monaco E-Prix', date: '2021-05-08' },
    { location: 'Puebla E-Prix', date: '2021-06-19' },
    { location: 'New York City E-Prix', date: '2021-07-10' },
    { location: 'London E-Prix', date: '2021-07-24' },
    { location: 'Berlin E-Prix', date: '2021-08-14' },
  ],
  8: [
    { location: 'Diriyah E-Prix', date: '2022-01-28' },
    { location: 'Mexico City E-Prix', date: '2022-02-12' },
    { location: 'Rome E-Prix', date: '2022-04-09' },
    { location: 'Monaco E-Prix', date: '2022-04-30' },
    { location: 'Berlin E-Prix', date: '2022-05-14' },
    { location: 'Jakarta E-Prix', date: '2022-06-04' },
    { location: 'Marrakesh E-Prix', date: '2022-07-02' },
    { location: 'New York City E-Prix', date: '2022-07-16' },
    { location: 'London E-Prix', date: '2022-07-30' },
    { location: 'Seoul E-Prix', date: '2022-08-13' },
  ],
  9: [
    { location: 'Mexico City E-Prix', date: '2023-01-14' },
    { location: 'Diriyah E-Prix', date: '2023-01-27' },
    { location: 'Hyderabad E-Prix', date: '2023-02-11' },
    { location: 'Cape Town E-Prix', date: '2023-02-25' },
    { location: 'São Paulo E-Prix', date: '2023-03-25' },
    { location: 'Berlin E-Prix', date: '2023-04-22' },
    { location: 'Monaco E-Prix', date: '2023-05-06' },
    { location: 'Jakarta E-Prix', date: '2023-06-03' },
    { location: 'Portland E-Prix', date: '2023-06-24' },
    { location: 'Rome E-Prix', date: '2023-07-15' },
    { location: 'London E-Prix', date: '2023-07-29' },
  ],
  10: [
    { location: 'Mexico City E-Prix', date: '2024-01-13' },
    { location: 'Diriyah E-Prix', date: '2024-01-26' },
    { location: 'São Paulo E-Prix', date: '2024-03-16' },
    { location: 'Tokyo E-Prix', date: '2024-03-30' },
    { location: 'Misano E-Prix', date: '2024-04-13' },
    { location: 'Monaco E-Prix', date: '2024-04-27' },
    { location: 'Berlin E-Prix', date: '2024-05-11' },
    { location: 'Shanghai E-Prix', date: '2024-05-25' },
    { location: 'Portland E-Prix', date: '2024-06-29' },
    { location: 'London E-Prix', date: '2024-07-20' },
  ],
  11: [
    { location: 'São Paulo E-Prix', date: '2024-12-07' },
    { location: 'Mexico City E-Prix', date: '2025-01-11' },
    { location: 'Jeddah E-Prix', date: '2025-02-14' },
    { location: 'Miami E-Prix', date: '2025-04-12' },
    { location: 'Monaco E-Prix', date: '2025-05-03' },
    { location: 'Tokyo E-Prix', date: '2025-05-17' },
    { location: 'Shanghai E-Prix', date: '2025-05-31' },
    { location: 'Jakarta E-Prix', date: '2025-06-21' },
    { location: 'Berlin E-Prix', date: '2025-07-12' },
    { location: 'London E-Prix', date: '2025-07-26' },
  ],
  12: [
    { location: 'São Paulo E-Prix', date: '2025-12-06' },
    { location: 'Mexico City E-Prix', date: '2026-01-10' },
    { location: 'Miami E-Prix', date: '2026-01-31' },
    { location: 'Jeddah E-Prix', date: '2026-02-13' },
    { location: 'Madrid E-Prix', date: '2026-03-21' },
    { location: 'Berlin E-Prix', date: '2026-05-02' },
    { location: 'Monaco E-Prix', date: '2026-05-16' },
    { location: 'Sanya E-Prix', date: '2026-06-20' },
    { location: 'Shanghai E-Prix', date: '2026-07-04' },
    { location: 'Tokyo E-Prix', date: '2026-07-25' },
    { location: 'London E-Prix', date: '2026-08-15' },
  ],
};

export const SGT_EVENTS: Record<number, EventFact[]> = {
  2022: [
    { location: 'Okayama International Circuit', date: '2022-04-17' },
    { location: 'Fuji Speedway', date: '2022-05-04' },
    { location: 'Suzuka Circuit', date: '2022-05-29' },
    { location: 'Fuji Speedway', date: '2022-08-07' },
    { location: 'Suzuka Circuit', date: '2022-08-28' },
    { location: 'Sportsland SUGO', date: '2022-09-18' },
    { location: 'Autopolis', date: '2022-10-02' },
    { location: 'Mobility Resort Motegi', date: '2022-11-06' },
  ],
  2023: [
    { location: 'Okayama International Circuit', date: '2023-04-16' },
    { location: 'Fuji Speedway', date: '2023-05-04' },
    { location: 'Suzuka Circuit', date: '2023-06-04' },
    { location: 'Fuji Speedway', date: '2023-08-06' },
    { location: 'Suzuka Circuit', date: '2023-08-27' },
    { location: 'Sportsland SUGO', date: '2023-09-17' },
    { location: 'Autopolis', date: '2023-10-15' },
    { location: 'Mobility Resort Motegi', date: '2023-11-05' },
  ],
  2024: [
    { location: 'Okayama International Circuit', date: '2024-04-14' },
    { location: 'Fuji Speedway', date: '2024-05-04' },
    { location: 'Suzuka Circuit', date: '2024-06-02' },
    { location: 'Fuji Speedway', date: '2024-08-04' },
    { location: 'Sportsland SUGO', date: '2024-09-22' },
    { location: 'Autopolis', date: '2024-10-20' },
    { location: 'Mobility Resort Motegi', date: '2024-11-03' },
    { location: 'Suzuka Circuit', date: '2024-12-08' },
  ],
  2025: [
    { location: 'Okayama International Circuit', date: '2025-04-13' },
    { location: 'Fuji Speedway', date: '2025-05-04' },
    { location: 'Sepang International Circuit', date: '2025-06-28' },
    { location: 'Fuji Speedway', date: '2025-08-03' },
    { location: 'Suzuka Circuit', date: '2025-08-24' },
    { location: 'Sportsland SUGO', date: '2025-09-21' },
    { location: 'Autopolis', date: '2025-10-19' },
    { location: 'Mobility Resort Motegi', date: '2025-11-02' },
  ],
  2026: [
    { location: 'Okayama International Circuit', date: '2026-04-12' },
    { location: 'Fuji Speedway', date: '2026-05-04' },
    { location: 'Sepang International Circuit', date: '2026-06-27' },
    { location: 'Fuji Speedway', date: '2026-08-02' },
    { location: 'Suzuka Circuit', date: '2026-08-23' },
    { location: 'Sportsland SUGO', date: '2026-09-20' },
    { location: 'Autopolis', date: '2026-10-18' },
    { location: 'Mobility Resort Motegi', date: '2026-10-31' },
  ],
};

export const ST_EVENTS: Record<number, EventFact[]> = {
  2022: [
    { location: 'Fuji 24 Hours (Fuji Speedway)', date: '2022-06-04' },
    { location: 'Autopolis', date: '2022-07-31' },
    { location: 'Okayama International Circuit', date: '2022-11-13' },
  ],
  2023: [
    { location: 'Suzuka Circuit', date: '2023-03-19' },
    { location: 'Fuji 24 Hours (Fuji Speedway)', date: '2023-05-27' },
    { location: 'Mobility Resort Motegi', date: '2023-09-03' },
  ],
  2024: [
    { location: 'Suzuka Circuit', date: '2024-03-24' },
    { location: 'Fuji 24 Hours (Fuji Speedway)', date: '2024-05-25' },
    { location: 'Okayama International Circuit', date: '2024-11-17' },
  ],
  2025: [
    { location: 'Suzuka Circuit', date: '2025-03-23' },
    { location: 'Fuji 24 Hours (Fuji Speedway)', date: '2025-05-31' },
    { location: 'Mobility Resort Motegi', date: '2025-09-07' },
  ],
  2026: [
    { location: 'Suzuka Circuit', date: '2026-03-22' },
    { location: 'Fuji 24 Hours (Fuji Speedway)', date: '2026-05-30' },
    { location: 'Okayama International Circuit', date: '2026-10-11' },
  ],
};

/** Typical lap times (s) of the cars at a venue, so that a lap-time trend reads right. */
export const LAP_TIMES: Record<string, Record<string, number>> = {
  fe: {
    'Diriyah E-Prix': 72,
    'Tokyo E-Prix': 73,
    'Berlin E-Prix': 62,
    'Berlin E-Prix (Tempelhof)': 67,
    'Monaco E-Prix': 89,
    'London E-Prix': 71,
    'Mexico City E-Prix': 67,
    'São Paulo E-Prix': 70,
    'Valencia (Ricardo Tormo) test': 78,
    'Circuito de Jarama test': 74,
  },
  gt500: {
    'Fuji Speedway': 86.5,
    'Suzuka Circuit': 105,
    'Okayama International Circuit': 77.5,
    'Sportsland SUGO': 70.5,
    Autopolis: 92,
    'Mobility Resort Motegi': 96,
    'Sepang International Circuit': 117,
  },
  gt3: {
    'Fuji Speedway': 96,
    'Suzuka Circuit': 118,
    'Okayama International Circuit': 85,
    'Sportsland SUGO': 79,
    Autopolis: 103,
    'Mobility Resort Motegi': 106,
    'Sepang International Circuit': 124,
  },
  st: {
    'Fuji 24 Hours (Fuji Speedway)': 108,
    'Suzuka Circuit': 138,
    'Okayama International Circuit': 98,
    'Mobility Resort Motegi': 119,
    Autopolis: 116,
  },
  road: {
    'Nürburgring Nordschleife': 462,
    'Fuji Speedway': 118,
    'Tochigi proving ground (handling circuit)': 84,
    'Sendai Hi-Land Raceway': 96,
  },
};

const FE_ENGINEERS = ['Tom Fletcher', 'Haruka Sato', 'Sophie Laurent', 'Kenji Watanabe', 'Marco Bianchi', 'Léa Moreau'];
const SGT_ENGINEERS = ['Daisuke Kobayashi', 'Takumi Ito', '山本 亮', 'Yuki Tanaka', '中村 愛子'];
const ROAD_ENGINEERS = ['Aiko Nakamura', 'Ryo Yamamoto', 'Mei Kato', 'Hiroshi Suzuki', 'Julia Becker', 'Omar Haddad'];
const LAB_ENGINEERS = ['Kenji Watanabe', 'Mei Kato', 'Satoshi Mori', '佐藤 遥', 'Priya Raman'];

const FE_TEST_TRACKS = ['Valencia (Ricardo Tormo) test', 'Circuito de Jarama test', 'Calafat test circuit'];
const ATSUGI_DYNO = 'NTC Atsugi – e-powertrain dyno cell 4';
const HIL_LAB = 'NTC HIL lab (Atsugi)';
const SIL_LAB = 'NTC vehicle-control SIL cluster';
const GT_TRACKS = ['Fuji Speedway', 'Suzuka Circuit', 'Okayama International Circuit', 'Sepang International Circuit'];
const ROAD_TRACKS = ['Tochigi proving ground (handling circuit)', 'Nürburgring Nordschleife', 'Fuji Speedway', 'Hokkaido Rikubetsu winter test site'];

function feRace(n: number, prototype: string, program: string, technologies: string[], perEvent = 1): CampaignFact {
  const events = FE_EVENTS[n]!;
  return {
    prototype,
    programs: [program],
    from: events[0]!.date,
    to: events[events.length - 1]!.date,
    software: `fe-vcu ${n}.`,
    engineers: FE_ENGINEERS,
    sessions: [
      {
        venue: 'race_event',
        events,
        perEvent,
        titles: ['{loc}: qualifying energy deployment', '{loc}: race energy management', '{loc}: race — powertrain temperatures'],
        objectives: [
          'Hit the energy target with the final-lap margin below 0.3 kWh.',
          'Keep motor and inverter below derate temperatures for the full race distance.',
          'Check regeneration balance under safety-car restarts.',
        ],
        technologies,
        measures: [LAP_FE, ENERGY_FE, MOTOR_TEMP, INV_TEMP],
      },
      {
        venue: 'track',
        locations: FE_TEST_TRACKS,
        count: 1,
        titles: ['Test day: long runs', 'Test day: powertrain calibration', '{loc}: race simulation'],
        objectives: ['Race-distance long runs with the new calibration.', 'Calibrate the powertrain maps for the season.'],
        technologies,
        measures: [LAP_FE, ENERGY_FE, MOTOR_TEMP],
      },
    ],
  };
}

export const CAMPAIGNS: CampaignFact[] = [
  // Formula E race cars, season by season.
  feRace(5, 'FE-IM01-01', 'FE-S5', ['fe_inv2', 'fe_trans2', 'fe_energy']),
  feRace(6, 'FE-IM02-01', 'FE-S6', ['fe_motor2', 'fe_inv2', 'fe_energy']),
  feRace(7, 'FE-IM03-02', 'FE-S7', ['fe_motor2', 'fe_inv2', 'fe_energy']),
  feRace(8, 'FE-IM03-02', 'FE-S8', ['fe_motor2', 'fe_inv2', 'fe_energy']),
  feRace(9, 'FE-E404-22', 'FE-S9', ['fe_inv3', 'fe_motor3', 'fe_front_regen', 'fe_bbw', 'e4_race', 'fe_tyre', 'fe_energy']),
  feRace(10, 'FE-E404-22', 'FE-S10', ['fe_inv3', 'fe_motor3', 'fe_front_regen', 'fe_bbw', 'e4_race', 'fe_tyre', 'fe_energy']),
  feRace(11, 'FE-E405-23', 'FE-S11', ['fe_inv3evo', 'fe_awd05', 'fe_front_regen', 'fe_bbw', 'fe_tyre', 'fe_energy']),
  feRace(12, 'FE-E405-23', 'FE-S12', ['fe_inv3evo', 'fe_awd05', 'fe_front_regen', 'fe_bbw', 'fe_tyre', 'fe_energy']),
  // McLaren customer car: powertrain data shared with the works team.
  {
    prototype: 'FE-E404-MCL',
    programs: ['FE-MCL-S9', 'FE-MCL-S10'],
    from: '2023-01-14',
    to: '2024-07-20',
    software: 'fe-vcu cust-',
    engineers: ['Ben Howard', 'Sophie Laurent'],
    sessions: [
      {
        venue: 'race_event',
        events: [...FE_EVENTS[9]!.filter((_, i) => i % 3 === 0), ...FE_EVENTS[10]!.filter((_, i) => i % 3 === 1)],
        perEvent: 1,
        titles: ['{loc}: customer powertrain data review', '{loc}: customer car energy deployment'],
        objectives: ['Compare customer-car powertrain temperatures with the works cars.'],
        technologies: ['fe_inv3', 'fe_motor3', 'fe_front_regen'],
        measures: [LAP_FE, MOTOR_TEMP, INV_TEMP],
      },
    ],
  },
  // Formula E development.
  {
    prototype: 'FE-MULE-04',
    programs: ['FE-S9', 'FE-S10'],
    from: '2022-03-01',
    to: '2023-11-30',
    software: 'fe-vcu dev9.',
    engineers: FE_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: FE_TEST_TRACKS,
        count: 10,
        titles: ['Gen3 shakedown: regeneration blending', 'Torque vectoring at turn-in', 'タイヤ摩耗の評価', 'Front regen at 600 kW', 'Aero efficiency check'],
        objectives: [
          'Validate regeneration blending with no rear friction brakes.',
          'Tune the torque split for turn-in without yaw overshoot.',
          'Correlate the tyre thermal model with track data.',
        ],
        technologies: ['fe_front_regen', 'fe_bbw', 'e4_race', 'fe_tyre', 'fe_aero'],
        measures: [LAP_FE, REGEN, YAW_ERR, TYRE_FL, TYRE_WEAR],
      },
    ],
  },
  {
    prototype: 'FE-MULE-07',
    programs: ['FE-S11', 'FE-S12'],
    from: '2024-02-01',
    to: '2026-04-30',
    software: 'fe-vcu dev11.',
    engineers: FE_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: FE_TEST_TRACKS,
        count: 12,
        titles: ['AWD launch practice starts', 'Attack Mode four-wheel-drive deployment', 'Qualifying duel AWD mapping', 'タイヤ摩耗の評価（ロングラン）'],
        objectives: [
          'Four-wheel drive at starts: 0–100 km/h under 1.9 s without wheelspin.',
          'Check the AWD hand-over at the end of Attack Mode.',
          'Long-run tyre wear against the thermal model.',
        ],
        technologies: ['fe_awd05', 'fe_inv3evo', 'fe_tyre', 'fe_front_regen'],
        measures: [ACCEL_FE, LAP_FE, TYRE_FL, REGEN],
      },
    ],
  },
  {
    prototype: 'FE-GEN4-01',
    programs: ['FE-S13'],
    from: '2026-03-01',
    to: '2026-10-25',
    software: 'fe-vcu g4.',
    engineers: FE_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: FE_TEST_TRACKS,
        count: 8,
        titles: ['Gen4 shakedown', 'Gen4 motor-generator durability', 'Gen4 permanent AWD calibration'],
        objectives: ['First mileage of the Gen4 motor-generator unit.', 'Durability at full race power.'],
        technologies: ['fe_gen4', 'fe_awd05'],
        measures: [LAP_FE, MOTOR_TEMP, REGEN],
      },
    ],
  },
  {
    prototype: 'FE-DYNO-03',
    programs: ['FE-S5', 'FE-S6', 'FE-S7', 'FE-S8', 'FE-S9', 'FE-S10', 'FE-S11', 'FE-S12', 'FE-S13'],
    from: '2019-01-07',
    to: '2026-10-20',
    software: 'fe-pt ',
    engineers: LAB_ENGINEERS,
    sessions: [
      {
        venue: 'dyno',
        locations: [ATSUGI_DYNO, 'Nissan Formula E Team – Le Mans dyno'],
        count: 20,
        titles: ['Inverter efficiency map', 'Motor thermal soak at race power', 'インバーター効率の測定', 'Transmission durability 3,000 km', 'Regeneration at 600 kW peak'],
        objectives: ['Map inverter efficiency across the race operating envelope.', 'Thermal soak at race power until steady state.'],
        // The season's technologies are chosen by date (see seed.ts: technologiesFor).
        technologies: ['fe_inv2', 'fe_trans2', 'fe_motor2', 'fe_inv3', 'fe_motor3', 'fe_front_regen', 'fe_inv3evo', 'fe_gen4'],
        measures: [INV_EFF, MOTOR_TEMP, INV_TEMP, REGEN],
      },
    ],
  },
  {
    prototype: 'FE-BATT-BENCH-02',
    programs: ['FE-S9', 'FE-S10', 'FE-S11', 'FE-S12'],
    from: '2022-06-01',
    to: '2026-06-30',
    software: 'bms-sim ',
    engineers: LAB_ENGINEERS,
    sessions: [
      {
        venue: 'bench',
        locations: ['NTC Atsugi – battery lab'],
        count: 8,
        titles: ['Race energy delivery thermal test', 'Cell temperature prediction check', 'Boost-mode thermal margin'],
        objectives: ['Confirm the cell temperature model within 2 °C over a race profile.'],
        technologies: ['fe_batt'],
        measures: [CELL_TEMP],
      },
    ],
  },
  {
    prototype: 'NTC-HIL-02',
    programs: ['FE-S9', 'FE-S10', 'FE-S11', 'FE-S12', 'FE-S13'],
    from: '2022-04-01',
    to: '2026-10-28',
    software: 'e4-ctrl ',
    engineers: LAB_ENGINEERS,
    sessions: [
      {
        venue: 'hil',
        locations: [HIL_LAB],
        count: 9,
        titles: ['e-4ORCE torque split regression', 'Regen blending fault injection', 'Inverter control loop HIL', 'e-4ORCE 制御の回帰試験'],
        objectives: ['Regression of the torque-split controller on 40 manoeuvres.', 'Inject sensor faults and check safe fallback.'],
        technologies: ['e4_race', 'fe_bbw', 'fe_inv3', 'fe_awd05', 'fe_inv3evo'],
        measures: [YAW_ERR, TORQUE_RESP],
      },
      {
        venue: 'hil',
        from: '2022-06-01',
        to: '2024-03-31',
        programs: [],
        locations: [HIL_LAB],
        count: 4,
        titles: ['Road e-4ORCE calibration check', 'Ariya NISMO torque split on HIL', 'Road inverter fault injection'],
        objectives: ['Carry the race torque-split logic into the road controller without regressions.'],
        technologies: ['road_inv', 'ariya_e4'],
        measures: [YAW_ERR, TORQUE_RESP],
      },
      {
        venue: 'hil',
        from: '2024-06-01',
        to: '2026-10-28',
        programs: [],
        locations: [HIL_LAB],
        count: 6,
        titles: ['X-Trail NISMO e-4ORCE on HIL', 'Hyper Force 1,000 kW torque limits', 'Leaf NISMO regen blending on HIL'],
        objectives: ['Regression of the road e-4ORCE variants before vehicle tests.'],
        technologies: ['xtrail_e4', 'hf_e4', 'leaf_motor'],
        measures: [YAW_ERR, TORQUE_RESP],
      },
    ],
  },
  {
    prototype: 'NTC-SIL-01',
    programs: ['FE-S9', 'FE-S10', 'FE-S11', 'FE-S12'],
    from: '2022-05-01',
    to: '2026-10-15',
    software: 'vcs-sil ',
    engineers: LAB_ENGINEERS,
    sessions: [
      {
        venue: 'sil',
        locations: [SIL_LAB],
        count: 7,
        titles: ['Energy strategy SIL sweep', 'Torque vectoring model-in-the-loop', 'AWD deployment SIL sweep'],
        objectives: ['Sweep the energy strategy over 200 simulated races.', 'Check controller stability margins before HIL.'],
        technologies: ['fe_energy', 'e4_race', 'fe_awd05'],
        measures: [ENERGY_FE, YAW_ERR],
      },
      {
        venue: 'sil',
        from: '2020-06-01',
        to: '2024-02-28',
        programs: [],
        locations: [SIL_LAB],
        count: 5,
        titles: ['e-POWER NISMO mode SIL check', 'Boost mode energy budget', 'NISMOモードのSIL評価'],
        objectives: ['Check the road energy strategy against its race origin before vehicle tests.'],
        technologies: ['note_tune', 'ariya_boost'],
        measures: [TORQUE_RESP],
      },
    ],
  },
  {
    prototype: 'NISMO-DIL-01',
    programs: ['FE-S9', 'FE-S10', 'FE-S11', 'FE-S12', gt500Key(2024, 23), gt500Key(2025, 23), gt500Key(2026, 23)],
    from: '2023-01-10',
    to: '2026-10-10',
    software: 'dil-model ',
    engineers: ['Tom Fletcher', 'Takumi Ito', 'Haruka Sato'],
    sessions: [
      {
        venue: 'simulator',
        programs: ['FE-S9', 'FE-S10', 'FE-S11', 'FE-S12'],
        locations: ['NISMO simulator centre (Yokohama)'],
        count: 5,
        titles: ['E-Prix preparation on the simulator', 'Torque-map selection for the next E-Prix', 'シミュレーターでの事前準備'],
        objectives: ['Driver preparation and torque-map selection before the event.'],
        technologies: ['e4_race', 'fe_awd05', 'fe_tyre'],
        measures: [LAP_FE, YAW_ERR],
      },
      {
        venue: 'simulator',
        from: '2024-01-10',
        programs: [gt500Key(2024, 23), gt500Key(2025, 23), gt500Key(2026, 23)],
        locations: ['NISMO simulator centre (Yokohama)'],
        count: 3,
        titles: ['GT500 set-up on the simulator', 'タイヤ摩耗を考慮したセットアップ'],
        objectives: ['Set-up and stint planning with the tyre wear model.'],
        technologies: ['gt500_tyre'],
        measures: [YAW_ERR],
      },
    ],
  },
  // Super GT: the #23 car at every round, the other Nissan GT500 cars at some.
  ...GT500_YEARS.map(
    (year): CampaignFact => ({
      prototype: 'GT500-Z23',
      programs: [gt500Key(year, 23)],
      from: `${year}-03-01`,
      to: `${year}-12-10`,
      software: `ecu-gt500 ${year}.`,
      engineers: SGT_ENGINEERS,
      sessions: [
        {
          venue: 'race_event',
          events: SGT_EVENTS[year]!,
          perEvent: 1,
          titles: ['{loc}: 決勝 — タイヤ摩耗の評価', '{loc}: race — fuel-flow and boost', '{loc}: qualifying aero balance', '{loc}: ロングラン評価'],
          objectives: ['Stint length against the tyre wear model.', 'Run at the fuel-flow limit with stable boost.'],
          technologies: year < 2024 ? ['gt500_engine', 'gt500_boost', 'gt500_tyre', 'gt500_aero22', 'gt500_brake'] : ['gt500_engine', 'gt500_boost', 'gt500_tyre', 'gt500_aero24', 'gt500_brake'],
          measures: [LAP_GT, BOOST, FUEL_FLOW, TYRE_GT, WEAR_GT, BRAKE_TEMP],
        },
      ],
    }),
  ),
  ...GT500_YEARS.flatMap((year) =>
    (['GT500-Z03', 'GT500-Z12', 'GT500-Z24'] as const).map(
      (code, i): CampaignFact => ({
        prototype: code,
        programs: [gt500Key(year, [3, 12, 24][i]!)],
        from: `${year}-03-01`,
        to: `${year}-12-10`,
        software: `ecu-gt500 ${year}.`,
        engineers: SGT_ENGINEERS,
        sessions: [
          {
            venue: 'race_event',
            events: SGT_EVENTS[year]!.filter((_, e) => e === 2 * i + (year % 2)),
            perEvent: 1,
            titles: ['{loc}: engine data review', '{loc}: タイヤ摩耗の評価', '{loc}: boost control check'],
            objectives: ['Share engine and tyre data with NISMO for all Nissan GT500 cars.'],
            technologies: ['gt500_engine', 'gt500_boost', 'gt500_tyre'],
            measures: [LAP_GT, BOOST, TYRE_GT],
          },
        ],
      }),
    ),
  ),
  {
    prototype: 'GT500-TEST-01',
    programs: GT500_YEARS.map((y) => gt500Key(y, 23)),
    from: '2022-01-20',
    to: '2026-07-31',
    software: 'ecu-gt500 t',
    engineers: SGT_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: GT_TRACKS,
        count: 12,
        titles: ['Winter test: aero balance', 'Tyre test: 300 km long run', 'タイヤ摩耗の評価', 'Brake cooling at Fuji', '空力バランスの確認'],
        objectives: ['Compare tyre specifications on a 300 km run.', 'Balance front and rear downforce for high-speed corners.'],
        technologies: ['gt500_tyre', 'gt500_aero22', 'gt500_aero24', 'gt500_brake', 'gt500_boost'],
        measures: [LAP_GT, TYRE_GT, WEAR_GT, BRAKE_TEMP],
      },
    ],
  },
  {
    prototype: 'GT500-DYNO-02',
    programs: GT500_YEARS.map((y) => gt500Key(y, 23)),
    from: '2021-10-01',
    to: '2026-09-30',
    software: 'ecu-gt500 d',
    engineers: SGT_ENGINEERS,
    sessions: [
      {
        venue: 'dyno',
        locations: ['NISMO Omori engine dyno', 'NTC Atsugi – engine dyno cell 2'],
        count: 12,
        titles: ['Fuel-flow limit mapping', 'ブースト圧制御の確認', 'Durability: 1,500 km race simulation', 'Knock margin at high intake temperature'],
        objectives: ['Maximum power at the fuel-flow limit.', 'Durability over two race weekends.'],
        technologies: ['gt500_engine', 'gt500_boost'],
        measures: [POWER_GT, BOOST, FUEL_FLOW, EGT],
      },
    ],
  },
  {
    prototype: 'AERO-MODEL-40',
    programs: [gt500Key(2022, 23), gt500Key(2024, 23), 'FE-S9'],
    from: '2021-09-01',
    to: '2024-02-28',
    software: 'wt-daq ',
    engineers: ['Yuki Tanaka', 'Marco Bianchi'],
    sessions: [
      {
        venue: 'wind_tunnel',
        programs: [gt500Key(2022, 23), gt500Key(2024, 23)],
        locations: ['NTC Atsugi wind tunnel', 'Windshear rolling-road tunnel (Concord, NC)'],
        count: 6,
        titles: ['Z GT500 nose concept', 'Rear diffuser sweep', 'Yaw sweep ±6°', '空力バランスの確認'],
        objectives: ['Downforce at constant drag for the new nose.', 'Rear diffuser efficiency across ride heights.'],
        technologies: ['gt500_aero22', 'gt500_aero24'],
        measures: [DOWNFORCE_GT, DRAG_GT],
      },
      {
        venue: 'wind_tunnel',
        from: '2022-03-01',
        to: '2022-12-15',
        programs: ['FE-S9'],
        locations: ['NTC Atsugi wind tunnel'],
        count: 3,
        titles: ['Low-drag front spoiler concept', 'Gen3 drag reduction study'],
        objectives: ['Drag reduction for energy efficiency.'],
        technologies: ['fe_aero'],
        measures: [DOWNFORCE_FE, DRAG_FE],
      },
    ],
  },
  // GT300 customer GT-R NISMO GT3.
  {
    prototype: 'GT3-DYNO-01',
    programs: ['GT300-2013'],
    from: '2012-10-01',
    to: '2013-06-15',
    software: 'ecu-gt3 13.',
    engineers: ['Takumi Ito', '山本 亮'],
    sessions: [
      {
        venue: 'dyno',
        locations: ['NISMO Omori engine dyno'],
        count: 5,
        titles: ['GT3 turbocharger durability', 'Turbo response map', 'GT3-spec turbo on the road engine'],
        objectives: ['Validate the race-spec turbochargers for a road application.'],
        technologies: ['gt3_turbo'],
        measures: [POWER_GT, BOOST_ROAD, EGT],
      },
    ],
  },
  ...GT300_YEARS.map(
    (year): CampaignFact => ({
      prototype: 'GT3-GTR-56',
      programs: [gt300Key(year)],
      from: `${year}-03-01`,
      to: `${year}-12-10`,
      software: `ecu-gt3 ${year}.`,
      engineers: SGT_ENGINEERS,
      sessions: [
        {
          venue: 'race_event',
          events: SGT_EVENTS[year]!.filter((_, e) => e === 1 || e === 5),
          perEvent: 1,
          titles: ['{loc}: GT300 race — turbo temperatures', '{loc}: customer support data'],
          objectives: ['Customer support: turbocharger temperatures under BoP.'],
          technologies: ['gt3_turbo'],
          measures: [LAP_GT3, BOOST_ROAD, EGT],
        },
      ],
    }),
  ),
  // Super Taikyu ST-Q on carbon-neutral fuel.
  ...ST_YEARS.map(
    (year): CampaignFact => ({
      prototype: 'ST-Z230',
      programs: [stKey(year)],
      from: `${year}-03-01`,
      to: `${year}-11-30`,
      software: `ecu-zrc ${year}.`,
      engineers: ['Yuki Tanaka', '中村 愛子'],
      sessions: [
        {
          venue: 'race_event',
          events: ST_EVENTS[year]!.slice(1),
          perEvent: 1,
          titles: ['{loc}: カーボンニュートラル燃料の評価', '{loc}: endurance stint on carbon-neutral fuel'],
          objectives: ['Power and knock margin on carbon-neutral fuel over an endurance stint.'],
          technologies: ['st_fuel', 'gt500_tyre'],
          measures: [LAP_ST, EGT, BOOST_ROAD],
        },
      ],
    }),
  ),
  // Road prototypes.
  {
    prototype: 'GTR-NISMO-PT-14',
    programs: [],
    from: '2013-03-01',
    to: '2013-10-31',
    software: 'r35n-ecm 14.',
    engineers: ROAD_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: ['Nürburgring Nordschleife', 'Sendai Hi-Land Raceway'],
        count: 5,
        titles: ['GT3-spec turbo: response on the Nordschleife', 'Lap record attempt preparation', 'Heat soak with GT3 turbochargers'],
        objectives: ['Turbo response and heat management of the GT3-spec turbochargers on the road car.'],
        technologies: ['gtr_turbo', 'gt3_turbo'],
        measures: [LAP_ROAD, BOOST_ROAD, EGT],
      },
    ],
  },
  {
    prototype: 'NOTE-AURA-NISMO-PT-02',
    programs: [],
    from: '2020-09-01',
    to: '2021-06-30',
    software: 'fe13n-vcm 1.',
    engineers: ROAD_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: ['Tochigi proving ground (handling circuit)', 'Sendai Hi-Land Raceway'],
        count: 6,
        titles: ['NISMO mode accelerator response', 'NISMOモードの評価', 'Regeneration feel on the handling circuit'],
        objectives: ['Sharper accelerator response in NISMO mode without shunt.'],
        technologies: ['note_tune'],
        measures: [LAP_ROAD, TORQUE_RESP],
      },
    ],
  },
  {
    prototype: 'Z-NISMO-PT-02',
    programs: [],
    from: '2022-02-01',
    to: '2023-05-31',
    software: 'rz34n-ecm 2.',
    engineers: ROAD_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: ROAD_TRACKS,
        count: 7,
        titles: ['Brake cooling: 10 hot laps', 'Rear lift check at 250 km/h', 'Boost calibration on track', 'サーキット走行でのブレーキ冷却評価'],
        objectives: ['Brake temperatures within limits over 10 laps.', 'Boost response after the GT500-derived calibration.'],
        technologies: ['z_cal', 'z_brake', 'z_aero'],
        measures: [LAP_ROAD, BRAKE_TEMP, BOOST_ROAD, POWER_ROAD],
      },
      {
        venue: 'wind_tunnel',
        locations: ['NTC Atsugi wind tunnel'],
        count: 2,
        titles: ['Z NISMO aero: lift balance'],
        objectives: ['Front/rear lift balance of the NISMO aero.'],
        technologies: ['z_aero'],
        measures: [DOWNFORCE_ROAD, DRAG_ROAD],
      },
    ],
  },
  ...(['ARIYA-NISMO-PT-01', 'ARIYA-NISMO-PT-03'] as const).map(
    (code, i): CampaignFact => ({
      prototype: code,
      programs: [],
      from: i === 0 ? '2022-06-01' : '2023-03-01',
      to: i === 0 ? '2023-04-30' : '2024-04-30',
      software: i === 0 ? 'fe0n-vcm 0.' : 'fe0n-vcm 1.',
      engineers: ROAD_ENGINEERS,
      sessions: [
        {
          venue: 'track',
          locations: ROAD_TRACKS,
          count: 9,
          titles: [
            'e-4ORCE NISMO tuning: turn-in',
            'NISMO tyre: temperature window',
            'タイヤ摩耗の評価',
            'Boost mode on the handling circuit',
            'Winter test: e-4ORCE on snow',
            'Road e-4ORCE inverter: thermal on track',
          ],
          objectives: ['Turn-in response and stability with the NISMO torque split.', 'Tyre temperature window over a 20-minute run.'],
          technologies: ['ariya_e4', 'ariya_tyre', 'ariya_boost', 'road_inv'],
          measures: [LAP_ROAD, ACCEL_ROAD, TYRE_ROAD, YAW_ERR],
        },
        {
          venue: 'wind_tunnel',
          locations: ['NTC Atsugi wind tunnel'],
          count: 2,
          titles: ['Ariya NISMO aero kit: downforce at equal drag'],
          objectives: ['More downforce without a range penalty.'],
          technologies: ['ariya_aero'],
          measures: [DOWNFORCE_ROAD, DRAG_ROAD],
        },
        {
          venue: 'bench',
          locations: ['NTC Atsugi – NVH and sound lab'],
          count: 2,
          titles: ['Formula-E-inspired sound: clinic playback', '加速サウンドの評価'],
          objectives: ['Sound follows acceleration and stays within regulations.'],
          technologies: ['ariya_sound'],
          measures: [SOUND],
        },
      ],
    }),
  ),
  {
    prototype: 'XTRAIL-NISMO-PT-01',
    programs: [],
    from: '2024-09-01',
    to: '2025-11-30',
    software: 't33n-vcm 1.',
    engineers: ROAD_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: ['Tochigi proving ground (handling circuit)', 'Hokkaido Rikubetsu winter test site'],
        count: 6,
        titles: ['e-4ORCE NISMO calibration', 'Snow handling with e-4ORCE', 'e-4ORCE の旋回性能評価'],
        objectives: ['NISMO torque split on dry and snow.'],
        technologies: ['xtrail_e4'],
        measures: [LAP_ROAD, YAW_ERR],
      },
    ],
  },
  {
    prototype: 'PATROL-NISMO-PT-01',
    programs: [],
    from: '2024-06-01',
    to: '2025-08-31',
    software: 'y63n-ecm 1.',
    engineers: ['Omar Haddad', 'Ryo Yamamoto'],
    sessions: [
      {
        venue: 'track',
        locations: ['Dubai Autodrome', 'Liwa desert test route', 'Yas Marina Circuit'],
        count: 6,
        titles: ['Desert heat: boost stability at 48 °C', 'Twin-turbo calibration on track', 'Dune driving: turbo heat soak'],
        objectives: ['Stable boost and no derate at 48 °C ambient.'],
        technologies: ['patrol_cal'],
        measures: [BOOST_ROAD, EGT, POWER_ROAD],
      },
    ],
  },
  {
    prototype: 'LEAF-NISMO-PT-01',
    programs: [],
    from: '2025-09-01',
    to: '2026-10-20',
    software: 'ze2n-vcm 0.',
    engineers: ROAD_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: ['Tochigi proving ground (handling circuit)', 'Oppama Grandrive'],
        count: 8,
        titles: ['One-pedal regen blending', 'Motor response in NISMO mode', 'ワンペダル回生の評価'],
        objectives: ['Race regen blending for a smooth one-pedal stop.'],
        technologies: ['leaf_motor', 'road_inv'],
        measures: [ACCEL_ROAD, TORQUE_RESP, REGEN_ROAD],
      },
    ],
  },
  {
    prototype: 'MICRA-NISMO-PT-01',
    programs: [],
    from: '2026-02-01',
    to: '2026-10-25',
    software: 'a290n-cal 0.',
    engineers: ['Julia Becker', 'Léa Moreau'],
    sessions: [
      {
        venue: 'track',
        locations: ['CERAM Mortefontaine', 'Circuit de Dieppe test loop'],
        count: 4,
        titles: ['Sound and chassis character on the A290 base', 'NISMO sound clinic'],
        objectives: ['Define a NISMO character on a partner platform.'],
        technologies: ['micra_sound'],
        measures: [SOUND, LAP_ROAD],
      },
    ],
  },
  {
    prototype: 'HYPERFORCE-PT-01',
    programs: [],
    from: '2024-03-01',
    to: '2026-10-15',
    software: 'hf-vcm 0.',
    engineers: ROAD_ENGINEERS,
    sessions: [
      {
        venue: 'track',
        locations: ['Tochigi proving ground (handling circuit)', 'Fuji Speedway'],
        count: 6,
        titles: ['1,000 kW e-4ORCE: traction at launch', 'Active aero on track', 'ハイパーフォースの走行評価'],
        objectives: ['Traction and stability at 1,000 kW.', 'Active aero transitions at speed.'],
        technologies: ['hf_e4', 'hf_aero'],
        measures: [ACCEL_ROAD, YAW_ERR, DOWNFORCE_ROAD],
      },
      {
        venue: 'wind_tunnel',
        locations: ['NTC Atsugi wind tunnel'],
        count: 3,
        titles: ['Active aero: drag and downforce modes'],
        objectives: ['Downforce in track mode, drag in road mode.'],
        technologies: ['hf_aero'],
        measures: [DOWNFORCE_ROAD, DRAG_ROAD],
      },
    ],
  },
  {
    prototype: 'SSB-BENCH-01',
    programs: [],
    from: '2022-04-01',
    to: '2026-10-30',
    software: 'ssb-bms ',
    engineers: ['佐藤 遥', 'Satoshi Mori', 'Priya Raman'],
    sessions: [
      {
        venue: 'bench',
        locations: ['Yokohama Plant – all-solid-state battery pilot line lab', 'NTC Atsugi – battery lab'],
        count: 12,
        titles: ['全固体電池セルの充放電サイクル試験', 'Cycle life at 2C', 'Pack thermal at 1,000 kW discharge', 'Energy density check of laminated cells'],
        objectives: ['Capacity retention after 500 cycles above 90 %.', 'Discharge at full concept power without thermal runaway margin loss.'],
        technologies: ['ssb_cell', 'hf_ssb'],
        measures: [SSB_ENERGY, SSB_CYCLES, SSB_RATE, CELL_TEMP],
      },
    ],
  },
];

/** Venue-type specific duration of a run, in hours (min, max). */
export const RUN_HOURS: Record<VenueType, [number, number]> = {
  race_event: [1, 2],
  track: [2, 7],
  dyno: [2, 8],
  bench: [3, 10],
  hil: [1, 4],
  sil: [0.5, 3],
  simulator: [2, 5],
  wind_tunnel: [3, 8],
};

/** What a fail or an inconclusive looked like, per technology category. */
export const FAIL_NOTES: Record<string, string[]> = {
  aero: ['Downforce 4 % below target; front wing stall at high yaw.', 'Drag above the efficiency target.'],
  edrive: ['Inverter over-temperature derate after 14 laps.', 'Motor temperature above limit in the last stint.'],
  brakes: ['Regen/friction blend step felt at 0.6 g.', 'Brake disc temperature over limit after 8 laps.'],
  tyres: ['Front-left graining beyond the model prediction.', 'タイヤ摩耗が予測を上回った。'],
  battery: ['Capacity retention below 90 % after 400 cycles.', 'Cell temperature 6 °C above prediction.'],
  vcs: ['Torque split oscillation at turn-in (yaw rate error > 3 deg/s).', 'Energy target missed by 0.8 kWh.'],
  ice: ['Knock limit reached at target boost.', 'Exhaust gas temperature above limit at the fuel-flow limit.'],
  sound: ['Sound level exceeds the pedestrian regulation at 20 km/h.', 'Clinic rated the sound as artificial.'],
  fuels: ['Ignition delay outside the window on the fuel blend.', 'Power 3 % below target on carbon-neutral fuel.'],
};

export const INCONCLUSIVE_NOTES = [
  'Data logger dropout; not enough data.',
  'Rain; session cut short.',
  'Red flag: too few laps for a verdict.',
  'データロガー不具合のため判定保留。',
  'Sensor calibration drift; repeat planned.',
];
