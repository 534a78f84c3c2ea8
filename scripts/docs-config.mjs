// `npm run docs:config`: write the config reference (src/config/reference.ts, built) into the
// README between its markers. test/unit/config/reference.spec.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs'
import { configReference } from '../dist/src/config/reference.js'
import { replaceBetweenMarkers } from '../dist/src/config/reference-markers.js'

const readme = new URL('../README.md', import.meta.url)
const before = readFileSync(readme, 'utf8')
const after = replaceBetweenMarkers(before, configReference())
if (after === before) {
  process.stdout.write('README.md: the config reference is up to date\n')
} else {
  writeFileSync(readme, after)
  process.stdout.write('README.md: config reference written\n')
}
