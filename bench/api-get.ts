/**
 * One get through a node's control API, issued on a word from the parent: `node api-get.js
 * DATADIR CONTENT-ID OUTPUT` prints "waiting" once loaded, POSTs /v1/get when a line comes on
 * stdin, and exits 0 when the get is done (1 on an error, or when the parent goes away).
 * The scaling bench starts one per leecher (inside its namespace) and issues them together.
 */
import { createInterface } from 'node:readline'
import { apiGet } from './latency.js'

const [dataDir, contentId, output] = process.argv.slice(2)
const lines = createInterface({ input: process.stdin })
lines.once('line', () => {
  apiGet(dataDir, contentId, output).then(() => process.exit(0), (err: Error) => {
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  })
})
// the parent died before the word: nothing to do
lines.once('close', () => process.exit(1))
process.stdout.write('waiting\n')
