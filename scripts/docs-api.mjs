// `npm run docs:api`: write docs/openapi.json from src/api/openapi.ts (built), the one source of
// the control API's reference. test/unit/api/openapi.spec.ts fails while the two differ.
import { writeFileSync } from 'node:fs'
import { OPENAPI } from '../dist/src/api/openapi.js'

writeFileSync(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(OPENAPI, null, 2)}\n`)
process.stdout.write('docs/openapi.json written\n')
