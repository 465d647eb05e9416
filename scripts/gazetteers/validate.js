#!/usr/bin/env node
// Checks the shipped gazetteer files against the format contract: UTF-8,
// leading comment header, 3-4 tab-separated columns, known types, no
// surrounding blanks, no repeated surface+type in a file, and no entity
// surface listed by two default files. Needs nothing but node.
// Usage: node scripts/gazetteers/validate.js [dir]
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2] || path.resolve(__dirname, '..', '..', 'config', 'entities', 'gazetteers');
const ENTITY = new Set(['PERSON', 'NORP', 'FAC', 'ORG', 'GPE', 'LOC', 'PRODUCT', 'EVENT', 'WORK_OF_ART', 'LAW', 'LANGUAGE']);
const HELPER = new Set(['TITLE', 'GIVEN', 'SURNAME', 'ORG_SUFFIX', 'ORG_HEAD', 'CAPITAL']);

let failed = 0;
let passed = 0;
const owner = new Map(); // entity surface -> file (default files only)

function check(file, isDefault) {
  const errs = [];
  const buf = fs.readFileSync(file);
  const text = buf.toString('utf8');
  if (Buffer.compare(Buffer.from(text, 'utf8'), buf) !== 0) errs.push('not valid UTF-8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') errs.push('no final newline');
  if (!lines[0].startsWith('# ')) errs.push('no comment header');
  if (!/source:/.test(text.slice(0, 4000))) errs.push('header names no source');
  const seen = new Set();
  lines.forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const c = line.split('\t');
    const at = `${path.basename(file)}:${i + 1}`;
    if (c.length < 3 || c.length > 4) { errs.push(`${at}: ${c.length} columns`); return; }
    const [surface, type, canonical] = c;
    if (!surface || surface.trim() !== surface) errs.push(`${at}: bad surface "${surface}"`);
    if (!canonical || canonical.trim() !== canonical) errs.push(`${at}: bad canonical "${canonical}"`);
    if (!ENTITY.has(type) && !HELPER.has(type)) errs.push(`${at}: unknown type ${type}`);
    const key = surface + '\t' + type;
    if (seen.has(key)) errs.push(`${at}: repeated ${surface}/${type}`);
    seen.add(key);
    if (isDefault && ENTITY.has(type)) {
      const o = owner.get(surface);
      if (o && o !== file) errs.push(`${at}: ${surface} already listed in ${path.basename(o)}`);
      owner.set(surface, file);
    }
  });
  const name = path.relative(dir, file);
  if (errs.length) {
    failed++;
    console.log(`FAIL ${name}`);
    for (const e of errs.slice(0, 20)) console.log('  ' + e);
  } else {
    passed++;
    console.log(`ok   ${name}`);
  }
}

const tsv = (d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.tsv')).sort().map((f) => path.join(d, f)) : []);
for (const f of tsv(dir)) check(f, true);
for (const f of tsv(path.join(dir, 'ambiguous'))) check(f, false);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
