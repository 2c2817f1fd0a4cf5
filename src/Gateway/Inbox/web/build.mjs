// Bundles the officer's page (src/inbox.js and its npm imports) into one script, and copies its stylesheet, for the
// Gateway to embed at build time: node build.mjs OUTDIR (the Gateway project passes obj/inbox/).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const out = process.argv[2] ?? 'dist';
await mkdir(out, { recursive: true });
await build({
  entryPoints: ['src/inbox.js'],
  bundle: true,
  format: 'iife',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  outfile: join(out, 'inbox.js'),
  logLevel: 'warning',
});
await copyFile('src/inbox.css', join(out, 'inbox.css'));
