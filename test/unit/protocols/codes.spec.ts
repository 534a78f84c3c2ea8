import assert from 'node:assert/strict'
import { RemoteRefusedError, errorCodeOf, refusalOf, rejectCodeOf, rejectReasonOf } from '../../../protocols/piece-exchange/codes.js'
import { ErrorCode, RejectCode } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import type { RejectReason } from '../../../src/core/wire.js'

describe('protocols/piece-exchange codes', () => {
  it('every reject reason with a code of its own goes out as that code and reads back as the reason', () => {
    for (const reason of ['not-available', 'overloaded', 'choked', 'elsewhere'] as RejectReason[]) {
      assert.equal(rejectReasonOf(rejectCodeOf(reason)), reason)
    }
    assert.equal(rejectCodeOf('choked'), RejectCode.CHOKED)
  })

  it('a reason with no reject code goes as NOT_AVAILABLE; an unknown code reads as not-available', () => {
    assert.equal(rejectCodeOf('swarm-full'), RejectCode.NOT_AVAILABLE)
    assert.equal(rejectReasonOf('BOGUS' as unknown as RejectCode), 'not-available')
  })

  it('a refusal of the exchange goes as its error code; any other reason as a protocol violation', () => {
    assert.equal(errorCodeOf('unknown-content'), ErrorCode.UNKNOWN_CONTENT)
    assert.equal(errorCodeOf('swarm-full'), ErrorCode.SWARM_FULL)
    assert.equal(errorCodeOf('shutting-down'), ErrorCode.SHUTTING_DOWN)
    assert.equal(errorCodeOf('duplicate'), ErrorCode.DUPLICATE)
    assert.equal(errorCodeOf('overloaded'), ErrorCode.PROTOCOL_VIOLATION)
  })

  it("a remote's Error message becomes a RemoteRefusedError naming the code", () => {
    const err = refusalOf(ErrorCode.SWARM_FULL)
    assert.ok(err instanceof RemoteRefusedError)
    assert.equal(err.name, 'RemoteRefusedError')
    assert.equal(err.code, 'SWARM_FULL')
    assert.match(err.message, /SWARM_FULL/)
    assert.equal(refusalOf('BOGUS' as unknown as ErrorCode).code, 'UNKNOWN')
  })
})
