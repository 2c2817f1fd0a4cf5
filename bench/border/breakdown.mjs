// Breaks down an evaluation of the border set by corruption pattern: joins the generator's per-record patterns
// (out/border.patterns.csv) with the pairs ./hub evaluate --misses FILE got wrong. Ids only, no names.
//
//   node breakdown.mjs --patterns out/border.patterns.csv --misses out/border.misses.csv
//
// A true pair carries the patterns of both its records (a pattern on either side is a difference between them,
// but for the rare pair whose two records were corrupted alike). "Sole" counts the pairs whose only pattern that
// changes a name or a birth date is that one (case, accents, phones and addresses aside), the cleanest attribution.

import { readFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, v, i, all) => (i % 2 ? pairs : [...pairs, [v.replace(/^--/, ''), all[i + 1]]]), []));
if (!args.patterns || !args.misses) {
  throw new Error('usage: node breakdown.mjs --patterns out/border.patterns.csv --misses FILE');
}

function readCsv(path) {
  const text = readFileSync(path, 'utf8');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

const records = new Map(); // person|agency -> record
const byPerson = new Map();
for (const r of readCsv(args.patterns)) {
  r.tags = r.patterns ? r.patterns.split(';') : [];
  r.groupList = r.groups ? r.groups.split(';') : [];
  records.set(`${r.person_id}|${r.agency}`, r);
  if (!byPerson.has(r.person_id)) byPerson.set(r.person_id, []);
  byPerson.get(r.person_id).push(r);
}

const pairKey = (truth, a, b) => (a < b ? `${truth}|${a}|${b}` : `${truth}|${b}|${a}`);
const missed = new Map();
const falses = [];
const rejected = [];
for (const m of readCsv(args.misses)) {
  if (m.outcome === 'missed') missed.set(pairKey(m.truth_a, m.agency_a, m.agency_b), m.band);
  else if (m.outcome === 'false') falses.push(m);
  else if (m.outcome === 'rejected') rejected.push(m);
}

// Patterns that change what the engine compares, as against cosmetic ones it already folds away.
const cosmetic = (t) => t.startsWith('name:') || t.startsWith('phone:') || t.startsWith('address:') || t.startsWith('sex:')
  || t === 'surname:particle-capitalized';

const stats = new Map();
const stat = (key) => {
  if (!stats.has(key)) stats.set(key, { pairs: 0, belowMatch: 0, belowPossible: 0, sole: 0, soleBelowMatch: 0 });
  return stats.get(key);
};
let pairs = 0;
let belowMatch = 0;
let belowPossible = 0;
for (const [person, list] of byPerson) {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const band = missed.get(pairKey(person, list[i].agency, list[j].agency)) ?? 'Match';
      const tags = new Set([...list[i].tags, ...list[j].tags, ...list[i].groupList.map((g) => `group:${g}`)]);
      // Phones and addresses only meet when both records carry one: say which pairs had both.
      const both = (prefix) => list[i].tags.every((t) => t !== `${prefix}:none`) && list[j].tags.every((t) => t !== `${prefix}:none`);
      if (both('phone')) tags.add('both:phone');
      if (both('address')) tags.add('both:address');
      if (!both('phone') && !both('address')) tags.add('both:neither-phone-nor-address');
      const substantive = [...tags].filter((t) => !cosmetic(t) && !t.startsWith('group:') && !t.startsWith('both:'));
      if (substantive.length === 0) tags.add('(no name or date pattern)');
      pairs++;
      if (band !== 'Match') belowMatch++;
      if (band !== 'Match' && band !== 'Possible') belowPossible++;
      for (const t of tags) {
        const s = stat(t);
        s.pairs++;
        if (band !== 'Match') s.belowMatch++;
        if (band !== 'Match' && band !== 'Possible') s.belowPossible++;
        if (substantive.length === 1 && substantive[0] === t) {
          s.sole++;
          if (band !== 'Match') s.soleBelowMatch++;
        }
      }
    }
  }
}

const pct = (n, d) => (d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);
console.log(`true cross-agency pairs ${pairs}: below Match ${belowMatch} (${pct(belowMatch, pairs).trim()}), below Possible ${belowPossible} (${pct(belowPossible, pairs).trim()})`);
console.log('\npattern (on either record of a true pair)       pairs  <Match    rate  <Possible   rate |  sole  sole<Match  rate');
for (const [tag, s] of [...stats.entries()].sort((a, b) => b[1].belowMatch - a[1].belowMatch || (a[0] < b[0] ? -1 : 1))) {
  console.log(`${tag.padEnd(46)} ${String(s.pairs).padStart(6)} ${String(s.belowMatch).padStart(7)} ${pct(s.belowMatch, s.pairs)} ${String(s.belowPossible).padStart(10)} ${pct(s.belowPossible, s.pairs)} | ${String(s.sole).padStart(5)} ${String(s.soleBelowMatch).padStart(10)} ${pct(s.soleBelowMatch, s.sole)}`);
}

// True pairs whose two records carry the same phone: do the written forms meet? The mobile and the household phone
// are told apart by the phone:household tag. Before issue 11 the connector read with default region US only: a
// Mexican number with its country code (+52, 011 52, +52 1) gave +52…, one with the area code only +1…, four forms
// were rejected. border.mapping.json now reads with ["US", "MX"] (ADR-006): counted here as every Mexican form giving
// +52… (the evaluation with it rejects none; a number invalid in Mexico would still be read as +1…).
const phoneForm = (r) => r.tags.find((t) => t.startsWith('phone:') && t !== 'phone:household' && t !== 'phone:none');
const readers = {
  'default region US only (before issue 11)': (form) => {
    if (form.startsWith('phone:us-')) return 'us';
    if (['phone:mx-intl', 'phone:mx-e164', 'phone:mx-idd011', 'phone:mx-plus1'].includes(form)) return '+52';
    if (form === 'phone:mx-noCc') return '+1';
    return 'rejected';
  },
  'regions US, MX (border.mapping.json)': (form) => (form.startsWith('phone:us-') ? 'us' : '+52'),
};
for (const [name, readAs] of Object.entries(readers)) {
  const phonePairs = { same: 0, meet: 0, countryCode: 0, rejected: 0 };
  for (const list of byPerson.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [fa, fb] = [phoneForm(list[i]), phoneForm(list[j])];
        if (!fa || !fb || list[i].tags.includes('phone:household') !== list[j].tags.includes('phone:household')) continue;
        phonePairs.same++;
        const [ra, rb] = [readAs(fa), readAs(fb)];
        if (ra === 'rejected' || rb === 'rejected') phonePairs.rejected++;
        else if (ra === rb) phonePairs.meet++;
        else phonePairs.countryCode++;
      }
    }
  }
  console.log(`\ntrue pairs whose records carry the same phone ${phonePairs.same}, read with ${name}: meet on it ${phonePairs.meet}, `
    + `apart by the country code (+1 vs +52) ${phonePairs.countryCode}, lost to a rejected form on one side ${phonePairs.rejected}`);
}

// False pairs: how the two different people are related in the generator.
const relation = (a, b) => {
  // ./hub evaluate --background: the other side is a person of another population stored as the rest of the hub.
  if (a.truth.startsWith('background:') || b.truth.startsWith('background:')) return 'a background person (another population)';
  const ra = records.get(`${a.truth}|${a.agency}`);
  const rb = records.get(`${b.truth}|${b.agency}`);
  if (!ra || !rb) return 'unknown';
  if (ra.household === rb.household) {
    if (ra.groupList.includes('named-after-father') && rb.groupList.includes('named-after-father')) return 'father and son of one name';
    return ra.groupList.includes('family') ? 'family at one address' : 'co-residents at one address';
  }
  if (ra.groupList.includes('namesake') && rb.groupList.includes('namesake')) return 'namesakes (a common full name)';
  return 'unrelated';
};
const falseStats = new Map();
for (const f of falses) {
  const key = `${f.band}: ${relation({ truth: f.truth_a, agency: f.agency_a }, { truth: f.truth_b, agency: f.agency_b })}`;
  falseStats.set(key, (falseStats.get(key) ?? 0) + 1);
}
console.log(`\nfalse pairs ${falses.length} (band: how the two people are related)`);
for (const [key, n] of [...falseStats.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${key}`);

// Records the connector rejected, by the way the generator wrote them.
const rejectStats = new Map();
for (const r of rejected) {
  const record = records.get(`${r.truth_a}|${r.agency_a}`);
  const prefix = r.band === 'phone' ? 'phone:' : r.band === 'location' ? 'address:' : '';
  const forms = (record?.tags ?? []).filter((t) => prefix && t.startsWith(prefix) && t !== 'phone:household');
  const key = `${r.band} ${r.detail} <- ${forms.join(';') || 'person'}`;
  rejectStats.set(key, (rejectStats.get(key) ?? 0) + 1);
}
console.log(`\nrecords rejected by the connector ${rejected.length} (kind, field: reason <- how the generator wrote it)`);
for (const [key, n] of [...rejectStats.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${key}`);
