import assert from 'node:assert/strict'
import tty from 'node:tty'
import { defaultLogger, disable, enable } from '@libp2p/logger'
import { componentLogger } from '../../../src/node/component-logger.js'

/** How many times `tty.isatty` is asked while `fn` runs (weald asks it for each debug instance it makes). */
function isattyCalls (fn: () => void): number {
  const original = tty.isatty
  let calls = 0
  tty.isatty = (fd: number) => { calls++; return original(fd) }
  try {
    fn()
  } finally {
    tty.isatty = original
  }
  return calls
}

describe('node/component-logger', () => {
  const debugBefore = process.env.DEBUG
  afterEach(() => {
    disable()
    if (debugBefore !== undefined) enable(debugBefore)
  })

  it('a namespace DEBUG does not enable costs no debug instances: silent, its scopes too', () => {
    disable()
    const loggers = componentLogger()
    let log = loggers.forComponent('shoal:test:quiet')
    const made = isattyCalls(() => { log = loggers.forComponent('shoal:test:quiet').newScope('stream:1') })
    assert.equal(made, 0)
    assert.equal(log.enabled, false)
    log('nothing %s', 'shown')
    log.error('nor this')
    log.trace('nor this')
    assert.ok(isattyCalls(() => defaultLogger().forComponent('shoal:test:quiet')) > 0, "@libp2p/logger's own asks the terminal each time")
  })

  it('an enabled namespace, or an enabled scope under a silent one, gets a real logger', () => {
    enable('shoal:test:loud,shoal:test:quiet:scope,shoal:test:errors:error')
    const loggers = componentLogger()
    assert.equal(loggers.forComponent('shoal:test:loud').enabled, true)
    const quiet = loggers.forComponent('shoal:test:quiet')
    assert.equal(quiet.enabled, false)
    assert.equal(quiet.newScope('scope').enabled, true)
    // errors only: the logger is @libp2p/logger's, so its error output is shown
    const errors = loggers.forComponent('shoal:test:errors')
    assert.equal(errors.enabled, false)
    assert.equal((errors.error as unknown as { enabled: boolean }).enabled, true)
  })
})
