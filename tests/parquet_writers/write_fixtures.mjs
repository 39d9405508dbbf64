// Writes the Parquet reader's test fixtures with two independent, well-kept writers, and the
// values written, so that tst_parquet can check that our reader reads exactly those values.
//
//   node write_fixtures.mjs OUT_DIR [ROWS]     (ROWS: 5000, as the tests use; fewer for fuzz seeds)
//
// OUT_DIR/expected.json: {"rows": [...], "files": [{"file", "writer", "pages", "rowGroupRows",
// "columns": {path: {encodings, compression}}, "refused"?}]}. Each row holds the columns' values
// as the reader should return them: numbers (FLOAT values are float32-exact), INT64 as decimal
// strings, bytes as hex, lists as arrays, null for nulls.
//
// DuckDB writes data pages v1 (SNAPPY, ZSTD, GZIP, uncompressed; dictionary on and off);
// hyparquet-writer writes data pages v2. DuckDB's "PARQUET_VERSION v2" uses encodings outside our
// subset (DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT): that file is the refusal fixture.

import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteFile } from 'hyparquet-writer';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node write_fixtures.mjs OUT_DIR [ROWS]');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

// A small deterministic generator (mulberry32), so fixtures are the same on every run.
let seed = 20261202;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (n) => Math.floor(random() * n);
const hex = (bytes) => Buffer.from(bytes).toString('hex');

const ROWS = Number(process.argv[3] ?? 5000);
const rows = [];
for (let i = 0; i < ROWS; ++i) {
  const vecLength = pick(5); // 0..4 elements, some null
  const vec = pick(10) === 0 ? null : Array.from({ length: vecLength }, () =>
    pick(6) === 0 ? null : Math.fround((random() - 0.5) * 100));
  const imgBytes = Array.from({ length: pick(64) }, () => pick(256));
  rows.push({
    i32: i % 7 === 3 ? null : (i * 2654435761) % 2147483647 - 1073741823,
    i64: (BigInt(i) * 1000000007n * 1000003n - 4611686018427387904n).toString(),
    task: i % 5, // low cardinality: dictionary-encoded by both writers
    f32: Math.fround((random() - 0.5) * 2e6),
    f64: (random() - 0.5) * 1e300 * random(),
    flag: i % 11 === 0 ? null : random() < 0.5,
    text: i % 13 === 0 ? null : `row ${i} ${'x'.repeat(pick(20))}`,
    label: ['pick up the bowl', 'open the drawer', 'push the plate', null][pick(4)],
    fixed: Array.from({ length: 7 }, () => Math.fround(random() * 2 - 1)),
    vec,
    img_bytes: i % 17 === 0 ? null : hex(imgBytes),
    img_path: i % 3 === 0 ? `frame_${String(i).padStart(6, '0')}.png` : null,
    img_null: i % 29 === 5,
  });
}
// Rows as the reader reports them: a null struct nulls both of its leaves.
const expectedRows = rows.map((r) => ({
  i32: r.i32,
  i64: r.i64,
  task: r.task,
  f32: r.f32,
  f64: r.f64,
  flag: r.flag,
  text: r.text,
  label: r.label,
  fixed: r.fixed,
  vec: r.vec,
  'img.bytes': r.img_null ? null : r.img_bytes,
  'img.path': r.img_null ? null : r.img_path,
}));

const db = await DuckDBInstance.create(':memory:');
const sql = await db.connect();

async function metadataOf(file) {
  const result = await sql.runAndReadAll(
    `SELECT path_in_schema, encodings, compression FROM parquet_metadata('${file}')`);
  const columns = {};
  for (const row of result.getRowObjectsJson()) {
    const key = row.path_in_schema.split(', ').join('.');
    const c = (columns[key] ??= { encodings: [], compression: [] });
    for (const e of row.encodings.split(', ')) if (!c.encodings.includes(e)) c.encodings.push(e);
    if (!c.compression.includes(row.compression)) c.compression.push(row.compression);
  }
  const groups = await sql.runAndReadAll(
    `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${file}') ORDER BY 1`);
  return { columns, rowGroupRows: groups.getRowObjectsJson().map((g) => Number(g.row_group_num_rows)) };
}

// DuckDB: the rows go in as JSON, are cast to the intended types, and are written out.
const jsonRows = path.join(out, 'rows.ndjson');
fs.writeFileSync(jsonRows, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
await sql.run(`
  CREATE TABLE t AS SELECT
    CAST(i32 AS INTEGER) AS i32, CAST(i64 AS BIGINT) AS i64, CAST(task AS INTEGER) AS task,
    CAST(f32 AS FLOAT) AS f32, CAST(f64 AS DOUBLE) AS f64, CAST(flag AS BOOLEAN) AS flag,
    CAST(text AS VARCHAR) AS text, CAST(label AS VARCHAR) AS label, CAST(fixed AS FLOAT[7]) AS fixed, CAST(vec AS FLOAT[]) AS vec,
    CASE WHEN img_null THEN NULL
         ELSE {'bytes': unhex(img_bytes)::BLOB, 'path': CAST(img_path AS VARCHAR)} END AS img
  FROM read_json('${jsonRows}', format = 'newline_delimited', columns = {
    i32: 'BIGINT', i64: 'VARCHAR', task: 'BIGINT', f32: 'DOUBLE', f64: 'DOUBLE', flag: 'BOOLEAN',
    text: 'VARCHAR', label: 'VARCHAR', fixed: 'DOUBLE[]', vec: 'DOUBLE[]', img_bytes: 'VARCHAR', img_path: 'VARCHAR',
    img_null: 'BOOLEAN'})`);
fs.rmSync(jsonRows);

const files = [];
const duckdbCases = [
  ['duckdb_snappy.parquet', 'COMPRESSION snappy'],
  ['duckdb_zstd.parquet', 'COMPRESSION zstd'],
  ['duckdb_gzip.parquet', 'COMPRESSION gzip'],
  ['duckdb_uncompressed_plain.parquet', 'COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 0'],
];
for (const [name, options] of duckdbCases) {
  const file = path.join(out, name);
  await sql.run(`COPY t TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048, ${options})`);
  // The file holds exactly the table (DuckDB's own reader agrees), so the rows are what it wrote.
  const diff = await sql.runAndReadAll(
    `SELECT count(*) AS n FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM '${file}')`);
  if (Number(diff.getRowObjectsJson()[0].n) !== 0) throw new Error(`${name}: DuckDB reads back other rows`);
  files.push({ file: name, writer: 'duckdb', pages: 'v1', ...(await metadataOf(file)) });
}
{
  const name = 'duckdb_v2_delta.parquet';
  const file = path.join(out, name);
  await sql.run(`COPY t TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048, PARQUET_VERSION v2)`);
  files.push({ file: name, writer: 'duckdb', pages: 'v2', refused: true, ...(await metadataOf(file)) });
}

// hyparquet-writer: data pages v2, small pages so that a column chunk has many.
const schema = [
  { name: 'root', num_children: 11 },
  { name: 'i32', type: 'INT32', repetition_type: 'OPTIONAL' },
  { name: 'i64', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'task', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'f32', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'f64', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'flag', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'fixed', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'vec', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
  { name: 'img', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];
function hyparquetColumns(encoding) {
  const column = (name, data) => ({ name, data, ...(encoding ? { encoding } : {}) });
  return [
    column('i32', rows.map((r) => r.i32)),
    column('i64', rows.map((r) => BigInt(r.i64))),
    column('task', rows.map((r) => r.task)),
    column('f32', rows.map((r) => r.f32)),
    column('f64', rows.map((r) => r.f64)),
    column('flag', rows.map((r) => r.flag)),
    column('text', rows.map((r) => r.text)),
    column('label', rows.map((r) => r.label)),
    column('fixed', rows.map((r) => r.fixed)),
    column('vec', rows.map((r) => r.vec)),
    column('img', rows.map((r) => (r.img_null ? null : {
      bytes: r.img_bytes === null ? null : new Uint8Array(Buffer.from(r.img_bytes, 'hex')),
      path: r.img_path,
    }))),
  ];
}
const hyparquetCases = [
  ['hyparquet_snappy.parquet', { codec: 'SNAPPY' }, undefined],
  ['hyparquet_gzip.parquet', { codec: 'GZIP', compressors: { GZIP: (b) => new Uint8Array(gzipSync(b)) } }, undefined],
  ['hyparquet_uncompressed_plain.parquet', { codec: 'UNCOMPRESSED' }, 'PLAIN'],
];
for (const [name, options, encoding] of hyparquetCases) {
  const file = path.join(out, name);
  parquetWriteFile({
    filename: file, columnData: hyparquetColumns(encoding), schema, rowGroupSize: 1500,
    pageSize: 2048, statistics: false, ...options,
  });
  files.push({ file: name, writer: 'hyparquet-writer', pages: 'v2', ...(await metadataOf(file)) });
}

fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify({ rows: expectedRows, files }));
console.log(`wrote ${files.length} Parquet files and expected.json to ${out}`);
