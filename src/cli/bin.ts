#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The `shoal` bin: checks the Node.js version first, then loads the CLI. An older Node would
 * fail to link libp2p (or any newer API) with a SyntaxError, so nothing but node: builtins and
 * the dependency-free node-version.js is imported statically here, and the CLI dynamically.
 * The minimum is package.json's `engines.node`, read here.
 */
import { readFileSync } from 'node:fs'
import { isOlder, minimumNode, tooOldMessage } from './node-version.js'

const minimum = minimumNode(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'))
if (minimum !== undefined && isOlder(process.versions.node, minimum)) {
  process.stderr.write(tooOldMessage(process.versions.node, minimum) + '\n')
  process.exitCode = 1
} else {
  import('./index.js').catch((err: Error) => {
    process.stderr.write(`shoal: cannot load the CLI: ${err.stack || err.message}\n`)
    process.exitCode = 1
  })
}
