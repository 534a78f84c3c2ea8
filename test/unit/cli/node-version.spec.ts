/**
 * The bin's Node.js check and the V8 flags per V8 version, from version strings alone (so it
 * holds where no older Node is installed to spawn: see test/e2e/node-versions.spec.ts).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { isOlder, minimumNode, tooOldMessage, v8FlagsFor } from '../../../src/cli/node-version.js'

/** The repository's package.json: this file runs as dist/test/unit/cli/node-version.spec.js. */
const PACKAGE_JSON = readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')

describe('cli: node version', () => {
  it('the minimum is package.json engines.node: 22.12.0 (Promise.withResolvers in libp2p needs 22)', () => {
    assert.equal(minimumNode(PACKAGE_JSON), '22.12.0')
    assert.equal(minimumNode(JSON.stringify({ engines: { node: '>= 18.0.1' } })), '18.0.1')
    assert.equal(minimumNode(JSON.stringify({ engines: { node: '^22 || ^24' } })), undefined)
    assert.equal(minimumNode(JSON.stringify({})), undefined)
    assert.equal(minimumNode('not json'), undefined)
  })

  it('compares versions part by part, numerically', () => {
    for (const older of ['20.20.2', 'v20.20.2', '22.11.9', '22.9.0', '18.20.8', '12.0.0', '21.99.99']) {
      assert.equal(isOlder(older, '22.12.0'), true, older)
    }
    for (const newer of ['22.12.0', 'v22.12.0', '22.12.1', '22.20.0', '23.0.0', '24.21.0', '100.0.0', '22.12.0-pre']) {
      assert.equal(isOlder(newer, '22.12.0'), false, newer)
    }
  })

  it('the message is one line: what is needed, what this is, what to do', () => {
    const message = tooOldMessage('20.20.2', '22.12.0')
    assert.equal(message, 'shoal: needs Node.js 22.12 or newer, this is 20.20.2: install the current LTS from https://nodejs.org or with your version manager (nvm install --lts)')
    assert.doesNotMatch(message, /\n/)
  })

  it('sets a V8 flag only from the V8 version known to have it', () => {
    const all = ['--external-memory-accounted-in-global-limit', '--heap-growing-percent=400', '--no-memory-reducer']
    assert.deepEqual(v8FlagsFor('13.6.233.17-node.53'), all) // Node 24
    assert.deepEqual(v8FlagsFor('14.1.146.11-node.14'), all)
    assert.deepEqual(v8FlagsFor('12.4.254.21-node.21'), all.slice(1)) // Node 22.12
    assert.deepEqual(v8FlagsFor('11.3.244.8-node.38'), all.slice(1)) // Node 20
    assert.deepEqual(v8FlagsFor('10.2.154.26-node.36'), [])
  })
})
