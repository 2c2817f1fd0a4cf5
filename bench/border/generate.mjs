// Border-shaped evaluation set for ./hub evaluate (issue 11): a population like a Texas–Mexico task force's, several
// agencies, people known to 1, 2 or 3 of them, each agency's record of a person written its own way. See README.md
// beside this file for the patterns, their rates and the output columns.
//
//   node generate.mjs [--people 5000] [--seed 11] [--out out]
//
// Deterministic: every random choice comes from one seeded generator (and faker's locales are only read as word
// lists), in a fixed order, so one seed and size always give byte-identical files.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakerES_MX, fakerEN_US } from '@faker-js/faker';

// ---------------------------------------------------------------------------------------------------------------
// Arguments and the seeded generator.

const args = parseArgs(process.argv.slice(2), { people: '5000', seed: '11', out: 'out' });
const PEOPLE = positiveInt(args.people, '--people');
const SEED = positiveInt(args.seed, '--seed');

function parseArgs(argv, defaults) {
  const result = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in defaults) || i + 1 >= argv.length) {
      throw new Error(`usage: node generate.mjs [--people N] [--seed S] [--out DIR] (bad argument ${argv[i]})`);
    }
    result[name] = argv[i + 1];
  }
  return result;
}

function positiveInt(text, name) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive whole number, not ${text}`);
  }
  return value;
}

// mulberry32: small, fast and stable across Node versions (Math.random is not seedable).
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED * 2654435761);
const chance = (p) => random() < p;
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)); // inclusive
const pick = (list) => list[Math.floor(random() * list.length)];
/** weighted pick from [[value, weight], ...] */
function weighted(entries) {
  let total = 0;
  for (const [, w] of entries) total += w;
  let r = random() * total;
  for (const [value, w] of entries) {
    r -= w;
    if (r < 0) return value;
  }
  return entries[entries.length - 1][0];
}
function sample(list, k) {
  const copy = [...list];
  const out = [];
  while (out.length < k && copy.length > 0) out.push(copy.splice(Math.floor(random() * copy.length), 1)[0]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Name frequencies: a head of very common names with weights near their share in Mexico's population, and a long
// tail from faker's es_MX / en_US word lists (uniform). The head carries about 40% of surnames, as in Mexico.

const MX = fakerES_MX.rawDefinitions;
const US = fakerEN_US.rawDefinitions;

const SURNAME_HEAD = [
  ['Hernández', 39], ['García', 27], ['Martínez', 21], ['López', 20], ['González', 17], ['Pérez', 13],
  ['Rodríguez', 13], ['Sánchez', 12], ['Ramírez', 11], ['Cruz', 8], ['Flores', 8], ['Gómez', 8], ['Morales', 6],
  ['Vázquez', 6], ['Reyes', 6], ['Jiménez', 6], ['Torres', 6], ['Díaz', 5], ['Gutiérrez', 5], ['Ruiz', 5],
  ['Mendoza', 5], ['Aguilar', 5], ['Ortiz', 4], ['Moreno', 4], ['Castillo', 4], ['Romero', 4], ['Álvarez', 4],
  ['Chávez', 4], ['Rivera', 4], ['Juárez', 4], ['Ramos', 3], ['Domínguez', 3], ['Herrera', 3], ['Medina', 3],
  // Surnames typical of the Texas–Mexico border (Nuevo León, Tamaulipas, Coahuila).
  ['Garza', 6], ['Treviño', 4], ['Villarreal', 3], ['Cantú', 3], ['Cavazos', 2], ['Salinas', 2], ['Guerra', 2],
  ['Longoria', 1], ['Zamora', 1], ['Elizondo', 1], ['Benavides', 1], ['Saldívar', 1],
];
// Surnames with particles; these are people's real surnames, written with the particle.
const SURNAME_PARTICLE = [
  ['de la Cruz', 3], ['de los Reyes', 2], ['del Valle', 2], ['de León', 3], ['de la Garza', 3], ['de la Rosa', 2],
  ['de los Santos', 2], ['del Ángel', 1], ['de la Fuente', 1], ['del Río', 1],
];
const SURNAME_TAIL = [...new Set(MX.person.last_name.generic)].filter((s) => !s.includes(' '));

function hispanicSurname() {
  const r = random();
  if (r < 0.42) return weighted(SURNAME_HEAD);
  if (r < 0.46) return weighted(SURNAME_PARTICLE);
  return pick(SURNAME_TAIL);
}

// Given names: compound names are common; "María" and "José" lead many of them.
const MALE_HEAD = [
  ['José Luis', 12], ['Juan Carlos', 7], ['Jesús', 10], ['José', 9], ['Juan', 9], ['Luis', 6], ['Miguel Ángel', 7],
  ['Francisco', 8], ['Antonio', 6], ['Alejandro', 6], ['Jorge', 5], ['Carlos', 5], ['Roberto', 5], ['Ricardo', 4],
  ['Eduardo', 4], ['Fernando', 4], ['Manuel', 4], ['Guillermo', 4], ['Ignacio', 3], ['Alberto', 3], ['Pedro', 4],
  ['Javier', 4], ['Sergio', 3], ['Rafael', 3], ['Raúl', 3], ['Arturo', 3], ['Héctor', 3], ['Enrique', 3],
  ['Juan Pablo', 3], ['José Antonio', 5], ['Francisco Javier', 4], ['Juan Manuel', 4], ['Jesús Manuel', 2],
  ['José Guadalupe', 2], ['Salvador', 2], ['Ramón', 2], ['Rodolfo', 2], ['Gilberto', 1], ['Humberto', 2],
  ['Luis Fernando', 2], ['Jorge Alberto', 2], ['Marco Antonio', 3], ['Víctor Manuel', 3], ['José Eduardo', 1],
];
const FEMALE_HEAD = [
  ['María Guadalupe', 12], ['Guadalupe', 6], ['María del Carmen', 8], ['María', 8], ['Juana', 5], ['Margarita', 5],
  ['Verónica', 4], ['Leticia', 4], ['Rosa María', 5], ['Francisca', 3], ['Patricia', 5], ['Alejandra', 4],
  ['Elizabeth', 4], ['Concepción', 2], ['María de Jesús', 4], ['Ana María', 4], ['María Elena', 4], ['Gabriela', 4],
  ['Adriana', 4], ['Martha', 3], ['Yolanda', 3], ['Silvia', 3], ['Teresa', 3], ['María Fernanda', 3], ['Dolores', 2],
  ['Rosario', 2], ['Mercedes', 2], ['Socorro', 2], ['María Isabel', 3], ['María Teresa', 2], ['Graciela', 2],
  ['Cecilia', 2], ['María de los Ángeles', 2], ['María José', 2], ['Isabel', 2], ['Refugio', 1], ['Luz María', 2],
];
const MALE_TAIL = MX.person.first_name.male;
const FEMALE_TAIL = MX.person.first_name.female;

function hispanicGiven(sex) {
  if (chance(0.6)) return weighted(sex === 'M' ? MALE_HEAD : FEMALE_HEAD);
  return pick(sex === 'M' ? MALE_TAIL : FEMALE_TAIL);
}

const EN_MALE = US.person.first_name.male;
const EN_FEMALE = US.person.first_name.female;
const EN_SURNAMES = US.person.last_name.generic;

// Hypocoristics the agencies write instead of the registered name (the generator's own list, from common
// Mexican usage; the engine does not read it).
const HYPOCORISTICS = {
  José: ['Pepe', 'Joselo', 'Chepe'], Jesús: ['Chuy', 'Chucho'], Alberto: ['Beto'], Roberto: ['Beto'],
  Humberto: ['Beto'], Gilberto: ['Beto', 'Gil'], Francisco: ['Paco', 'Pancho', 'Kiko'], Guadalupe: ['Lupe', 'Lupita'],
  Ignacio: ['Nacho'], Guillermo: ['Memo'], Eduardo: ['Lalo'], Antonio: ['Toño'], Concepción: ['Concha', 'Conchita'],
  Enrique: ['Quique'], Rafael: ['Rafa'], Manuel: ['Manolo', 'Meño'], Alejandro: ['Alex', 'Jando'],
  Rosario: ['Chayo'], Dolores: ['Lola', 'Lolita'], Mercedes: ['Meche'], Socorro: ['Coco'], Refugio: ['Cuca', 'Cuco'],
  Ramón: ['Moncho'], Salvador: ['Chava'], Rodolfo: ['Fito'], Teresa: ['Tere'], Cecilia: ['Ceci'],
  Graciela: ['Chela'], Isabel: ['Chabela'], Margarita: ['Magos'], Javier: ['Javi'], Fernando: ['Fer'],
  Gabriela: ['Gaby'], Patricia: ['Paty'], Alejandra: ['Ale'], Juana: ['Juanita'], Juan: ['Juanito'],
  Carlos: ['Carlitos'], Luis: ['Güicho'], Verónica: ['Vero'], Leticia: ['Lety'], Elizabeth: ['Liz', 'Eli'],
  Raúl: ['Rulo'], Arturo: ['Arturito'], María: ['Mary'],
};
// English nicknames (the engine's nickname table already holds groups like these).
const EN_NICKNAMES = {
  Robert: ['Bob', 'Rob'], William: ['Bill', 'Will'], Richard: ['Rick', 'Dick'], James: ['Jim', 'Jimmy'],
  Michael: ['Mike'], Elizabeth: ['Liz', 'Beth'], Margaret: ['Peggy', 'Maggie'], Katherine: ['Kathy', 'Kate'],
  Jennifer: ['Jenny'], Thomas: ['Tom'], Christopher: ['Chris'], Joseph: ['Joe'], Daniel: ['Dan'], Anthony: ['Tony'],
  Patricia: ['Patty'], Deborah: ['Debbie'], Charles: ['Charlie', 'Chuck'], Edward: ['Ed', 'Eddie'],
};

// ---------------------------------------------------------------------------------------------------------------
// Places: border cities with their postcodes, street names from faker's es_MX / en_US lists.

const MX_CITIES = [
  // city, state (full), state abbreviations an agency may write, postcode range, phone area code, weight
  ['Reynosa', 'Tamaulipas', ['Tamps.', 'Tamps', 'TAMPS', 'Tam.'], [88500, 88799], '899', 6],
  ['Matamoros', 'Tamaulipas', ['Tamps.', 'Tamps', 'TAMPS', 'Tam.'], [87300, 87499], '868', 4],
  ['Nuevo Laredo', 'Tamaulipas', ['Tamps.', 'Tamps', 'TAMPS', 'Tam.'], [88000, 88299], '867', 5],
  ['Monterrey', 'Nuevo León', ['N.L.', 'NL', 'N. L.', 'Nvo. León'], [64000, 64999], '81', 7],
  ['Guadalupe', 'Nuevo León', ['N.L.', 'NL', 'N. L.'], [67100, 67199], '81', 2],
  ['San Nicolás de los Garza', 'Nuevo León', ['N.L.', 'NL'], [66400, 66499], '81', 2],
  ['Saltillo', 'Coahuila', ['Coah.', 'Coah', 'COAH'], [25000, 25299], '844', 3],
  ['Piedras Negras', 'Coahuila', ['Coah.', 'Coah', 'COAH'], [26000, 26099], '878', 2],
  ['Ciudad Acuña', 'Coahuila', ['Coah.', 'Coah'], [26200, 26299], '877', 1],
  ['Torreón', 'Coahuila', ['Coah.', 'Coah'], [27000, 27299], '871', 2],
  ['Ciudad Juárez', 'Chihuahua', ['Chih.', 'Chih', 'CHIH'], [32000, 32699], '656', 6],
  ['Chihuahua', 'Chihuahua', ['Chih.', 'Chih'], [31000, 31499], '614', 2],
].map(([city, state, abbrs, zips, area, w]) => [{ city, state, abbrs, zips, area }, w]);

const US_CITIES = [
  ['Laredo', [78040, 78046], ['956'], 6], ['McAllen', [78501, 78504], ['956'], 4],
  ['Brownsville', [78520, 78526], ['956'], 4], ['Edinburg', [78539, 78542], ['956'], 2],
  ['Harlingen', [78550, 78552], ['956'], 1], ['Pharr', [78577, 78577], ['956'], 1],
  ['El Paso', [79901, 79938], ['915'], 5], ['Eagle Pass', [78852, 78853], ['830'], 1],
  ['Del Rio', [78840, 78843], ['830'], 1], ['San Antonio', [78201, 78260], ['210', '726'], 5],
  ['Houston', [77002, 77099], ['713', '832', '281'], 6], ['Corpus Christi', [78401, 78418], ['361'], 2],
].map(([city, zips, areas, w]) => [{ city, zips, areas }, w]);

const COLONIAS = [
  'Centro', 'Del Valle', 'Las Fuentes', 'Jardín', 'Industrial', 'Obrera', 'Los Pinos', 'Hidalgo', 'Independencia',
  'Rodríguez', 'Longoria', 'Aztlán', 'Del Prado', 'Valle Alto', 'Lomas del Real', 'San Rafael', 'Bella Vista',
  'Mitras Centro', 'Cumbres', 'Anáhuac', 'Moderna', 'Las Granjas', 'Altavista', 'Nuevo Amanecer', 'Miguel Alemán',
  'Benito Juárez', 'Francisco Villa', 'Emiliano Zapata', 'La Joya', 'Satélite', 'Infonavit', 'Puerta del Sol',
];
const MX_STREET_NAMES = MX.location.street_name_part;
// Texas streets: English surnames (as faker's en_US streets are) and the Spanish names common on the border.
const US_STREET_NAMES = [
  ...US.person.last_name.generic.slice(0, 200), 'San Bernardo', 'Guadalupe', 'Zaragoza', 'Matamoros', 'Hidalgo', 'Juárez', 'Santa Maria', 'Saunders', 'Main',
];
const MX_STREET_TYPES = [
  // full form, abbreviated forms
  [['Avenida', ['Av.', 'Ave.', 'Av', 'AV']], 4], [['Calle', ['C.', 'Calle', '']], 5],
  [['Boulevard', ['Blvd.', 'Bulevar', 'Blvd', 'BLVD']], 2], [['Privada', ['Priv.', 'Priv']], 1],
  [['Calzada', ['Calz.', 'Calz']], 1], [['Prolongación', ['Prol.', 'Prol']], 1],
];
const US_SUFFIXES = [
  [['Street', 'St', 'ST', 'St.'], 5], [['Avenue', 'Ave', 'AVE', 'Av'], 3], [['Drive', 'Dr', 'DR'], 2],
  [['Road', 'Rd', 'RD'], 1], [['Boulevard', 'Blvd', 'BLVD'], 1], [['Lane', 'Ln', 'LN'], 1],
];

const MX_MOBILE = 0.85; // share of Mexican numbers that are mobiles (the 044/045 forms only exist for those)

function mxPlace() {
  const c = weighted(MX_CITIES);
  const [typeFull, typeAbbrs] = weighted(MX_STREET_TYPES);
  return {
    country: 'MX', city: c.city, state: c.state, stateAbbrs: c.abbrs, zip: String(int(c.zips[0], c.zips[1])),
    colonia: pick(COLONIAS), typeFull, typeAbbrs, street: pick(MX_STREET_NAMES), number: String(int(1, 4999)),
    interior: chance(0.2) ? String(int(1, 12)) : null, area: c.area,
  };
}

function usPlace() {
  const c = weighted(US_CITIES);
  const suffix = weighted(US_SUFFIXES);
  return {
    country: 'US', city: c.city, state: 'TX', zip: String(int(c.zips[0], c.zips[1])), street: pick(US_STREET_NAMES),
    suffix, number: String(int(100, 19999)), unit: chance(0.25) ? String(int(1, 40)) : null, areas: c.areas,
  };
}

function phoneFor(place, country) {
  if (country === 'MX') {
    const area = place.country === 'MX' ? place.area : weighted(MX_CITIES).area;
    const rest = 10 - area.length;
    const subscriber = String(int(2, 9)) + String(int(0, 10 ** (rest - 1) - 1)).padStart(rest - 1, '0');
    return { country: 'MX', national: area + subscriber, areaLength: area.length, mobile: chance(MX_MOBILE) };
  }
  const area = place.country === 'US' ? pick(place.areas) : pick(['956', '915', '210']);
  const subscriber = String(int(2, 9)) + String(int(0, 99)).padStart(2, '0') + String(int(0, 9999)).padStart(4, '0');
  return { country: 'US', national: area + subscriber, areaLength: 3, mobile: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Agencies and how each one writes its records. Rates are per record; a record may get several patterns.

const AGENCIES = {
  // A federal investigative agency: careful records, both surnames, Mexican phones with their country code.
  'A-federal': {
    surname: { both: 62, paternal: 12, maternal: 2, runTogether: 2, hyphen: 6, abbrev: 8, yJoined: 4 },
    givenFirstPart: 0.12, givenSecondPart: 0.06, hypocoristic: 0.04, particle: 0.2,
    swapped: 0.01, givenMissing: 0.01, fullInSurname: 0.005,
    dob: { missing: 0.08, yearOnly: 0.03, yearMonth: 0.02, yearOff: 0.03, swap: 0.01, digit: 0.01 },
    typo: 0.05, accentsKept: 0.7, upper: 0.1, lower: 0.0, sexMissing: 0.05, phone: 0.7, address: 0.65,
    mxPhone: { intl: 40, e164: 25, noCc: 8, ccNoPlus: 5, idd011: 12, idd00: 2, mobile044: 1, mobile045: 1, plus1: 6 },
    mxAddress: { full: 35, abbreviated: 45, flattened: 10, hash: 10 },
  },
  // A state police: one surname field that often keeps the paternal surname only; all caps, no accents.
  'B-state': {
    surname: { both: 40, paternal: 30, maternal: 3, runTogether: 6, hyphen: 12, abbrev: 4, yJoined: 2 },
    givenFirstPart: 0.2, givenSecondPart: 0.08, hypocoristic: 0.05, particle: 0.4,
    swapped: 0.02, givenMissing: 0.01, fullInSurname: 0.01,
    dob: { missing: 0.12, yearOnly: 0.04, yearMonth: 0.02, yearOff: 0.05, swap: 0.03, digit: 0.02 },
    typo: 0.07, accentsKept: 0.1, upper: 0.6, lower: 0.0, sexMissing: 0.05, phone: 0.65, address: 0.65,
    mxPhone: { intl: 10, e164: 5, noCc: 45, ccNoPlus: 15, idd011: 15, idd00: 3, mobile044: 3, mobile045: 2, plus1: 2 },
    mxAddress: { full: 10, abbreviated: 25, flattened: 50, hash: 15 },
  },
  // A county sheriff on the river: the same, with more typos and run-together names from a fixed-width system.
  'C-county': {
    surname: { both: 45, paternal: 22, maternal: 4, runTogether: 12, hyphen: 8, abbrev: 6, yJoined: 3 },
    givenFirstPart: 0.18, givenSecondPart: 0.1, hypocoristic: 0.08, particle: 0.5,
    swapped: 0.03, givenMissing: 0.02, fullInSurname: 0.01,
    dob: { missing: 0.16, yearOnly: 0.04, yearMonth: 0.03, yearOff: 0.06, swap: 0.03, digit: 0.03 },
    typo: 0.1, accentsKept: 0.2, upper: 0.7, lower: 0.05, sexMissing: 0.1, phone: 0.6, address: 0.6,
    mxPhone: { intl: 8, e164: 4, noCc: 40, ccNoPlus: 10, idd011: 10, idd00: 10, mobile044: 10, mobile045: 6, plus1: 2 },
    mxAddress: { full: 15, abbreviated: 35, flattened: 35, hash: 15 },
  },
  // A victim-services NGO: what people say of themselves, so nicknames, partial or no birth dates.
  'D-ngo': {
    surname: { both: 50, paternal: 28, maternal: 6, runTogether: 2, hyphen: 4, abbrev: 6, yJoined: 4 },
    givenFirstPart: 0.1, givenSecondPart: 0.15, hypocoristic: 0.2, particle: 0.3,
    swapped: 0.02, givenMissing: 0.04, fullInSurname: 0.02,
    dob: { missing: 0.25, yearOnly: 0.08, yearMonth: 0.05, yearOff: 0.08, swap: 0.02, digit: 0.01 },
    typo: 0.06, accentsKept: 0.6, upper: 0.05, lower: 0.05, sexMissing: 0.08, phone: 0.75, address: 0.5,
    mxPhone: { intl: 20, e164: 5, noCc: 30, ccNoPlus: 10, idd011: 5, idd00: 10, mobile044: 10, mobile045: 5, plus1: 5 },
    mxAddress: { full: 40, abbreviated: 30, flattened: 15, hash: 15 },
  },
};
const AGENCY_NAMES = Object.keys(AGENCIES);
const KNOWN_TO = [[1, 45], [2, 35], [3, 20]]; // how many agencies know a person

// ---------------------------------------------------------------------------------------------------------------
// The population: households (one person, a family, or unrelated co-residents), then namesakes.

const people = [];
let nextId = 1;
let household = 0; // the current household's number: people at one address share it
const newId = () => `B${String(nextId++).padStart(6, '0')}`;

function birthDate(fromYear, toYear) {
  const y = int(fromYear, toYear);
  const m = int(1, 12);
  const d = int(1, daysIn(y, m));
  return { y, m, d };
}
function daysIn(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function newPerson({ population, sex, given, paternal, maternal, dob, place, homePhone, groups }) {
  const phoneCountry = place.country === 'MX' ? 'MX' : (population !== 'anglo' && chance(0.2) ? 'MX' : 'US');
  const person = {
    id: newId(), household: `H${String(household).padStart(6, '0')}`, population, sex, given, paternal, maternal, dob, place, homePhone,
    mobile: chance(0.85) ? phoneFor(place, phoneCountry) : null, groups: [...groups],
  };
  people.push(person);
  return person;
}

function hispanicPerson(place, groups, overrides = {}) {
  const sex = overrides.sex ?? (chance(0.5) ? 'M' : 'F');
  // People living in Texas sometimes carry one surname only (born there, or registered so).
  const single = place.country === 'US' && chance(0.35);
  return newPerson({
    population: place.country === 'MX' ? 'mx-resident' : 'us-hispanic', sex,
    given: overrides.given ?? hispanicGiven(sex), paternal: overrides.paternal ?? hispanicSurname(),
    maternal: overrides.maternal !== undefined ? overrides.maternal : (single ? null : hispanicSurname()),
    dob: overrides.dob ?? birthDate(1958, 2008), place, homePhone: overrides.homePhone ?? null, groups,
  });
}

function anglePerson(place, groups) {
  const sex = chance(0.5) ? 'M' : 'F';
  return newPerson({
    population: 'anglo', sex, given: pick(sex === 'M' ? EN_MALE : EN_FEMALE), paternal: pick(EN_SURNAMES),
    maternal: null, dob: birthDate(1958, 2008), place, homePhone: null, groups,
  });
}

function newHousehold() {
  household++;
  const kind = weighted([['single', 62], ['family', 26], ['coresidents', 12]]);
  const mexican = chance(0.85);
  const place = mexican && chance(0.5) ? mxPlace() : usPlace();
  if (kind === 'single' || !mexican) {
    if (mexican) hispanicPerson(place, []);
    else anglePerson(place, []);
    return;
  }
  const homePhone = chance(0.4) ? phoneFor(place, place.country) : null;
  if (kind === 'coresidents') {
    // Unrelated people at one address: a boarding house, a stash house.
    const n = int(2, 4);
    for (let i = 0; i < n; i++) hispanicPerson(place, ['coresident'], { homePhone });
    return;
  }
  // A family: the children carry the father's paternal and the mother's paternal surname.
  const fatherPaternal = hispanicSurname();
  const motherPaternal = hispanicSurname();
  const fatherDob = birthDate(1955, 1985);
  const father = hispanicPerson(place, ['family'], {
    sex: 'M', paternal: fatherPaternal, dob: fatherDob, homePhone,
  });
  hispanicPerson(place, ['family'], {
    sex: 'F', paternal: motherPaternal, dob: birthDate(fatherDob.y - 3, Math.min(fatherDob.y + 6, 1990)), homePhone,
  });
  const children = int(1, 3);
  for (let i = 0; i < children; i++) {
    const sex = chance(0.5) ? 'M' : 'F';
    // A son named after his father (the "Jr." the records do not write): same given name, same paternal surname.
    const namedAfterFather = sex === 'M' && chance(0.15);
    const child = hispanicPerson(place, ['family'], {
      sex, paternal: fatherPaternal, maternal: motherPaternal, homePhone,
      given: namedAfterFather ? father.given : undefined,
      dob: birthDate(Math.min(fatherDob.y + 18, 2008), Math.min(fatherDob.y + 40, 2012)),
    });
    if (namedAfterFather) {
      child.groups.push('named-after-father');
      father.groups.push('named-after-father');
    }
  }
}

while (people.length < PEOPLE) newHousehold();
people.length = PEOPLE; // the last household may overshoot; its extra members are dropped

// Namesakes: a common full name carried by several different people (other birth date, other address).
const COMMON_FULL_NAMES = [
  ['M', 'José', 'Hernández', null], ['F', 'María', 'García', null], ['M', 'Juan', 'Martínez', null],
  ['F', 'María Guadalupe', 'Hernández', 'López'], ['M', 'José Luis', 'García', 'García'], ['M', 'Jesús', 'López', null],
  ['F', 'Guadalupe', 'Rodríguez', null], ['M', 'Francisco', 'González', 'Pérez'], ['F', 'Juana', 'Martínez', null],
  ['M', 'Juan Carlos', 'Sánchez', 'Ramírez'], ['F', 'María del Carmen', 'Garza', null], ['M', 'José', 'Garza', 'Treviño'],
];
const namesakeShare = 0.06;
const namesakeCount = Math.floor(PEOPLE * namesakeShare);
for (const person of sample(people.filter((p) => p.population !== 'anglo' && p.groups.length === 0), namesakeCount)) {
  const [sex, given, paternal, maternal] = pick(COMMON_FULL_NAMES);
  Object.assign(person, { sex, given, paternal, maternal: maternal ?? person.maternal });
  person.groups.push('namesake');
}

// ---------------------------------------------------------------------------------------------------------------
// Writing a person as an agency would.

const stripAccents = (s) => s.normalize('NFD').replace(/\p{Mn}/gu, '');

const KEYBOARD = 'qwertyuiop asdfghjkl zxcvbnm'.split(' ');
function neighbours(c) {
  const lower = c.toLowerCase();
  for (let r = 0; r < KEYBOARD.length; r++) {
    const i = KEYBOARD[r].indexOf(lower);
    if (i < 0) continue;
    const near = [KEYBOARD[r][i - 1], KEYBOARD[r][i + 1], KEYBOARD[r - 1]?.[i], KEYBOARD[r + 1]?.[i]].filter(Boolean);
    return near.map((n) => (c === lower ? n : n.toUpperCase()));
  }
  return [];
}
/** One keystroke error: a neighbouring key, a dropped, doubled or transposed letter (never the first letter). */
function keystrokeTypo(word) {
  const letters = [...word];
  const positions = letters.map((c, i) => i).filter((i) => i > 0 && /\p{L}/u.test(letters[i]));
  if (positions.length < 2) return word;
  const i = pick(positions);
  switch (weighted([['sub', 4], ['drop', 3], ['double', 1], ['swap', 2]])) {
    case 'sub': {
      const near = neighbours(stripAccents(letters[i]));
      if (near.length) letters[i] = pick(near);
      break;
    }
    case 'drop': letters.splice(i, 1); break;
    case 'double': letters.splice(i, 0, letters[i]); break;
    default:
      if (i + 1 < letters.length && /\p{L}/u.test(letters[i + 1])) [letters[i], letters[i + 1]] = [letters[i + 1], letters[i]];
      else [letters[i - 1], letters[i]] = [letters[i], letters[i - 1]];
  }
  return letters.join('');
}

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function writeGiven(person, profile, tags) {
  const parts = person.given.split(' ');
  let given = person.given;
  // Compound names: "María del Carmen" -> "María" or "Carmen", "José Luis" -> "José" or "Luis".
  const lastPart = parts[parts.length - 1];
  if (parts.length > 1) {
    if (chance(profile.givenFirstPart)) {
      given = parts[0];
      tags.push('given:first-part');
    } else if (chance(profile.givenSecondPart)) {
      given = capitalize(lastPart);
      tags.push('given:second-part');
    }
  }
  const nicknames = person.population === 'anglo' ? EN_NICKNAMES : HYPOCORISTICS;
  const first = given.split(' ')[0];
  if (nicknames[first] && chance(profile.hypocoristic)) {
    given = [pick(nicknames[first]), ...given.split(' ').slice(1)].join(' ');
    // A compound name's nickname stands for the whole name ("Pepe" for José Luis) more often than not.
    if (given.includes(' ') && chance(0.6)) given = given.split(' ')[0];
    tags.push(person.population === 'anglo' ? 'given:nickname-en' : 'given:hypocoristic');
  }
  return given;
}

function writeParticle(surname, profile, tags) {
  if (!/^(de|del) /i.test(surname) || !chance(profile.particle)) return surname;
  switch (weighted([['dropped', 3], ['joined', 2], ['capital', 3]])) {
    case 'dropped':
      tags.push('surname:particle-dropped');
      return surname.replace(/^(de los|de las|de la|del|de) /i, '');
    case 'joined':
      tags.push('surname:particle-joined');
      return surname.split(' ').map(capitalize).join('');
    default:
      tags.push('surname:particle-capitalized');
      return surname.split(' ').map(capitalize).join(' ');
  }
}

function writeSurname(person, profile, tags) {
  const paternal = writeParticle(person.paternal, profile, tags);
  if (!person.maternal) return paternal;
  const maternal = writeParticle(person.maternal, profile, tags);
  const form = weighted(Object.entries(profile.surname));
  switch (form) {
    case 'both': return `${paternal} ${maternal}`;
    case 'paternal': tags.push('surname:paternal-only'); return paternal;
    case 'maternal': tags.push('surname:maternal-only'); return maternal;
    case 'runTogether': tags.push('surname:run-together'); return `${paternal}${maternal}`.replace(/ /g, '');
    case 'hyphen': tags.push('surname:hyphenated'); return `${paternal}-${maternal}`;
    case 'abbrev': tags.push('surname:maternal-abbreviated'); return `${paternal} ${stripAccents(maternal.replace(/^(de los|de las|de la|del|de) /i, '')).charAt(0).toUpperCase()}.`;
    case 'yJoined': tags.push('surname:y-joined'); return `${paternal} y ${maternal}`;
    default: throw new Error(`unknown surname form ${form}`);
  }
}

function writeBirthDate(dob, profile, tags) {
  const r = profile.dob;
  const pad = (n) => String(n).padStart(2, '0');
  const iso = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
  const form = weighted([
    ['missing', r.missing], ['yearOnly', r.yearOnly], ['yearMonth', r.yearMonth], ['yearOff', r.yearOff],
    ['swap', r.swap], ['digit', r.digit],
    ['full', 1 - r.missing - r.yearOnly - r.yearMonth - r.yearOff - r.swap - r.digit],
  ]);
  switch (form) {
    case 'missing': tags.push('dob:missing'); return '';
    case 'yearOnly': tags.push('dob:year-only'); return String(dob.y);
    case 'yearMonth': tags.push('dob:year-month'); return `${dob.y}-${pad(dob.m)}`;
    case 'yearOff': {
      tags.push('dob:year-off-by-one');
      const y = dob.y + (chance(0.5) ? 1 : -1);
      return iso(y, dob.m, Math.min(dob.d, daysIn(y, dob.m)));
    }
    case 'swap':
      // Only a date whose day could be a month can be read the other way round; the others stay whole.
      if (dob.d <= 12 && dob.d !== dob.m) { tags.push('dob:day-month-swapped'); return iso(dob.y, dob.d, dob.m); }
      break;
    case 'digit': {
      // One digit of the day mistyped, still a real date.
      const d = dob.d < 10 ? dob.d + 10 : (dob.d % 10) + 10 * ((Math.floor(dob.d / 10) + 1) % 3);
      if (d >= 1 && d <= daysIn(dob.y, dob.m) && d !== dob.d) { tags.push('dob:day-digit'); return iso(dob.y, dob.m, d); }
      break;
    }
    default: break;
  }
  return iso(dob.y, dob.m, dob.d);
}

const group = (digits, sizes) => {
  const out = [];
  let i = 0;
  for (const n of sizes) { out.push(digits.slice(i, i + n)); i += n; }
  return out.join(' ');
};

function writePhone(phone, profile, tags) {
  const n = phone.national;
  const spaced = phone.areaLength === 2 ? group(n, [2, 4, 4]) : group(n, [3, 3, 4]);
  if (phone.country === 'US') {
    const form = weighted([['paren', 4], ['dash', 3], ['intl', 2], ['plain', 1], ['one', 1]]);
    tags.push(`phone:us-${form}`);
    switch (form) {
      case 'paren': return `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`;
      case 'dash': return `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`;
      case 'intl': return `+1 ${spaced}`;
      case 'plain': return n;
      default: return `1-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`;
    }
  }
  let form = weighted(Object.entries(profile.mxPhone));
  // 044/045 and +52 1 are mobile prefixes; a landline is written with its country code instead.
  if (!phone.mobile && ['mobile044', 'mobile045', 'plus1'].includes(form)) form = 'intl';
  tags.push(`phone:mx-${form}`);
  switch (form) {
    case 'intl': return `+52 ${spaced}`;
    case 'e164': return `+52${n}`;
    case 'noCc':
      if (chance(0.5)) return spaced;
      return phone.areaLength === 2 ? `(${n.slice(0, 2)}) ${n.slice(2, 6)}-${n.slice(6)}` : `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`;
    case 'ccNoPlus': return `52 ${spaced}`;
    case 'idd011': return `011 52 ${spaced}`;
    case 'idd00': return `00 52 ${spaced}`;
    case 'mobile044': return `044 ${spaced}`;
    case 'mobile045': return `045 ${spaced}`;
    default: return `+52 1 ${spaced}`;
  }
}

function writeAddress(place, profile, tags) {
  if (place.country === 'US') {
    const form = weighted([['standard', 5], ['full', 2], ['upper', 3]]);
    tags.push(`address:us-${form}`);
    const [full, ...abbrs] = place.suffix;
    const unit = place.unit ? (form === 'full' ? ` Apartment ${place.unit}` : pick([` Apt ${place.unit}`, ` #${place.unit}`, ` Unit ${place.unit}`])) : '';
    switch (form) {
      case 'standard': return `${place.number} ${place.street} ${abbrs[0]}${unit}, ${place.city}, TX ${place.zip}`;
      case 'full': return `${place.number} ${place.street} ${full}${unit}, ${place.city}, Texas ${place.zip}`;
      default: return stripAccents(`${place.number} ${place.street} ${pick(abbrs)}${unit} ${place.city} TX ${place.zip}`).toUpperCase();
    }
  }
  const form = weighted(Object.entries(profile.mxAddress));
  tags.push(`address:mx-${form}`);
  const type = (abbreviated) => (abbreviated ? pick(place.typeAbbrs) : place.typeFull);
  const street = (abbreviated) => [type(abbreviated), place.street].filter(Boolean).join(' ');
  const interior = (style) => {
    if (!place.interior) return '';
    if (style === 'full') return ` Departamento ${place.interior}`;
    if (style === 'hash') return `-${place.interior}`;
    return pick([` Depto. ${place.interior}`, ` Int. ${place.interior}`, ` Dpto. ${place.interior}`]);
  };
  switch (form) {
    case 'full':
      return `${street(false)} ${place.number}${interior('full')}, Colonia ${place.colonia}, ${place.zip} ${place.city}, ${place.state}`;
    case 'abbreviated':
      return `${street(true)} No. ${place.number}${interior('abbr')}, Col. ${place.colonia}, C.P. ${place.zip}, ${place.city}, ${pick(place.stateAbbrs)}`;
    case 'hash':
      return `${street(true)} #${place.number}${interior('hash')}, Col. ${place.colonia}, CP ${place.zip}, ${place.city}, ${pick(place.stateAbbrs)}, México`;
    default: {
      // A US system's flattened form: number first, no commas, upper case, no accents.
      const text = `${place.number} ${street(true)}${interior('abbr')} COL ${place.colonia} ${place.city} ${pick(place.stateAbbrs)} ${place.zip} MX`;
      return stripAccents(text).toUpperCase().replace(/\./g, '');
    }
  }
}

function writeRecord(person, agency) {
  const profile = AGENCIES[agency];
  const tags = [];
  let given = writeGiven(person, profile, tags);
  let surname = writeSurname(person, profile, tags);
  if (chance(profile.typo)) {
    if (chance(0.5)) { given = keystrokeTypo(given); tags.push('typo:given'); }
    else { surname = keystrokeTypo(surname); tags.push('typo:surname'); }
  }
  // Names in the wrong field.
  if (chance(profile.swapped)) { [given, surname] = [surname, given]; tags.push('field:swapped'); }
  else if (chance(profile.givenMissing)) { given = ''; tags.push('field:given-missing'); }
  else if (chance(profile.fullInSurname)) { surname = `${given} ${surname}`; given = ''; tags.push('field:full-in-surname'); }
  const hasAccent = /[^\u0000-\u007f]/.test(given + surname);
  if (hasAccent && !chance(profile.accentsKept)) { given = stripAccents(given); surname = stripAccents(surname); tags.push('name:accents-lost'); }
  if (chance(profile.upper)) { given = given.toUpperCase(); surname = surname.toUpperCase(); tags.push('name:upper'); }
  else if (chance(profile.lower)) { given = given.toLowerCase(); surname = surname.toLowerCase(); tags.push('name:lower'); }

  const birth = writeBirthDate(person.dob, profile, tags);
  let sex = person.sex;
  if (chance(profile.sexMissing)) { sex = ''; tags.push('sex:missing'); }

  let phone = '';
  const phoneOf = person.mobile && person.homePhone ? (chance(0.7) ? person.mobile : person.homePhone) : (person.mobile ?? person.homePhone);
  if (phoneOf && chance(profile.phone)) {
    phone = writePhone(phoneOf, profile, tags);
    if (phoneOf === person.homePhone) tags.push('phone:household');
  } else {
    tags.push('phone:none');
  }
  let address = '';
  if (chance(profile.address)) {
    address = writeAddress(person.place, profile, tags);
    if (!chance(profile.accentsKept)) address = stripAccents(address);
  } else {
    tags.push('address:none');
  }
  return { given, surname, birth, sex, phone, address, tags };
}

// ---------------------------------------------------------------------------------------------------------------
// Out: the evaluation file, the per-record patterns (for the breakdown of misses), and a summary.

const csvCell = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const rows = [['person_id', 'agency', 'given_name', 'surname', 'birth_date', 'sex', 'phone', 'address']];
const patternRows = [['person_id', 'agency', 'household', 'known_to', 'groups', 'patterns']];
const counts = new Map();
const count = (key) => counts.set(key, (counts.get(key) ?? 0) + 1);
const records = [];
for (const person of people) {
  const k = weighted(KNOWN_TO);
  count(`people known to ${k}`);
  for (const agency of sample(AGENCY_NAMES, k).sort()) {
    const r = writeRecord(person, agency);
    records.push([person, agency, k, r]);
  }
}
// Rows in a shuffled order, so that a person's records are not neighbours in the file or in each agency's share.
for (let i = records.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [records[i], records[j]] = [records[j], records[i]];
}
for (const [person, agency, k, r] of records) {
  rows.push([person.id, agency, r.given, r.surname, r.birth, r.sex, r.phone, r.address]);
  patternRows.push([person.id, agency, person.household, String(k), [person.population, ...person.groups].join(';'), r.tags.join(';')]);
  count(`records of ${agency}`);
  for (const t of r.tags) count(t);
}
for (const person of people) {
  for (const g of [person.population, ...person.groups]) count(`people: ${g}`);
}

const outDir = args.out;
mkdirSync(outDir, { recursive: true });
const toCsv = (table) => table.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
const base = join(outDir, 'border');
writeFileSync(`${base}.csv`, toCsv(rows));
writeFileSync(`${base}.patterns.csv`, toCsv(patternRows));
const summary = [
  `border set: seed ${SEED}, ${PEOPLE} people, ${records.length} records, agencies ${AGENCY_NAMES.join(' ')}`,
  ...[...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, n]) => `${key}\t${n}`),
].join('\n') + '\n';
writeFileSync(`${base}.summary.txt`, summary);
process.stdout.write(`wrote ${base}.csv (${records.length} records of ${PEOPLE} people), ${base}.patterns.csv, ${base}.summary.txt\n`);
