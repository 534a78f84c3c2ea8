/** The config's opt-in `metrics` listener: absent unless asked for, loopback at 9464 by default. */
import assert from 'node:assert/strict'
import { DEFAULTS } from '../../../src/config/defaults.js'
import { resolveConfig } from '../../../src/config/load.js'
import { isNamedError } from '../fixtures.js'

describe('config: metrics', () => {
  it('absent by default: no listener', () => {
    assert.equal(resolveConfig({}).metrics, undefined)
  })

  it('an empty object: loopback, port 9464', () => {
    assert.deepEqual(resolveConfig({ metrics: {} }).metrics, { host: '127.0.0.1', port: 9464 })
    assert.deepEqual(DEFAULTS.metrics, { host: '127.0.0.1', port: 9464 })
  })

  it('another host when the config says so, any free port with 0', () => {
    assert.deepEqual(resolveConfig({ metrics: { host: '0.0.0.0', port: 0 } }).metrics, { host: '0.0.0.0', port: 0 })
  })

  it('a bad port, an empty host or an unknown key is an error naming the key', () => {
    assert.throws(() => resolveConfig({ metrics: { port: 70000 } }), isNamedError('ConfigError', /metrics\.port/))
    assert.throws(() => resolveConfig({ metrics: { port: '9464' } } as never), isNamedError('ConfigError', /metrics\.port/))
    assert.throws(() => resolveConfig({ metrics: { host: '' } }), isNamedError('ConfigError', /metrics\.host/))
    assert.throws(() => resolveConfig({ metrics: { token: 'x' } } as never), isNamedError('ConfigError', /token/))
  })
})
