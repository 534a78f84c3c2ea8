import assert from 'node:assert/strict'
import { RELAYING } from '../../../src/config/defaults.js'
import { resolveConfig } from '../../../src/config/load.js'
import { relayServerInit } from '../../../src/node/relay.js'

describe('node/relay', () => {
  const relayOf = (relay: Record<string, unknown>): ReturnType<typeof resolveConfig>['relay'] => resolveConfig({ relay }).relay

  it('is off by default, and with no limits a relay applies none', () => {
    const relay = relayOf({})
    assert.equal(relay.server, false)
    assert.deepEqual(relayServerInit(relay).reservations, { maxReservations: 15, applyDefaultLimit: false })
  })

  it('applies the data and duration limits the config sets', () => {
    const init = relayServerInit(relayOf({ server: true, maxReservations: 3, dataLimit: 1048576, durationLimit: '2m' }))
    assert.deepEqual(init.reservations, { maxReservations: 3, applyDefaultLimit: true, defaultDataLimit: 1048576n, defaultDurationLimit: 120_000 })
  })

  it('a limit of 0 beside a set one is no limit', () => {
    assert.equal(relayServerInit(relayOf({ durationLimit: 60_000 })).reservations?.defaultDataLimit, RELAYING.unlimitedData)
    assert.equal(relayServerInit(relayOf({ dataLimit: 65536 })).reservations?.defaultDurationLimit, RELAYING.unlimitedDuration)
  })

  it('refuses a data limit too small for a piece request, naming the key', () => {
    assert.throws(() => relayOf({ dataLimit: 100 }), (err: Error) => err.name === 'ConfigError' && /relay\.dataLimit/.test(err.message))
    assert.throws(() => relayOf({ maxReservations: 0 }), (err: Error) => err.name === 'ConfigError' && /relay\.maxReservations/.test(err.message))
    assert.throws(() => relayOf({ serve: true }), (err: Error) => err.name === 'ConfigError' && /relay\.serve/.test(err.message))
  })
})
