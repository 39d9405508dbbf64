// Rewrites a parquet file with one column cast to text (DuckDB), for the readers' bad-input tests.
//
//   node retype_column.mjs IN.parquet OUT.parquet COLUMN

import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, column] = process.argv.slice(2);
if (!column) {
  console.error('usage: node retype_column.mjs IN.parquet OUT.parquet COLUMN');
  process.exit(2);
}
const sql = await (await DuckDBInstance.create(':memory:')).connect();
await sql.run(`COPY (SELECT * REPLACE (CAST("${column}" AS VARCHAR) AS "${column}") FROM '${input}')
  TO '${output}' (FORMAT parquet)`);
