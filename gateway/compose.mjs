// Compose the supergraph from each subgraph's exported SDL with @theguild/federation-composition.
// Usage: node compose.mjs <sdl-dir> <url-base> <out-file> <subgraph>...
// Called by `dcms schema export|check`; the subgraph list comes from subgraphs/settings.py.
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

const [sdlDir, urlBase, outFile, ...names] = process.argv.slice(2);
if (!outFile || names.length === 0) {
  console.error('usage: node compose.mjs <sdl-dir> <url-base> <out-file> <subgraph>...');
  process.exit(2);
}
const result = composeServices(
  names.map((name) => ({
    name,
    typeDefs: parse(readFileSync(`${sdlDir}/${name}.graphql`, 'utf8')),
    url: `${urlBase}/${name}/graphql`,
  })),
);
if (result.errors && result.errors.length > 0) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
writeFileSync(outFile, result.supergraphSdl.trimEnd() + '\n');
