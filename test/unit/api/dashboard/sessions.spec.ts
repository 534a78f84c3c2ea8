import assert from 'node:assert/strict'
import { SecretBook, readCookie, sessionCookie, sessionCookieName } from '../../../../src/api/dashboard/sessions.js'

describe('api/dashboard/sessions', () => {
  let now = 1_000_000
  const book = (max = 3): SecretBook => new SecretBook({ lifetimeMs: 60_000, max, bytes: 18, now: () => now })

  it('a code is random, 144 bits, and works once', () => {
    const codes = book()
    const a = codes.issue()
    const b = codes.issue()
    assert.notEqual(a, b)
    assert.equal(Buffer.from(a, 'base64url').byteLength, 18)
    assert.equal(codes.redeem(a), true)
    assert.equal(codes.redeem(a), false)
    assert.equal(codes.valid(b), true)
  })

  it('a secret stops working at the end of its lifetime', () => {
    const codes = book()
    const a = codes.issue()
    now += 59_999
    assert.equal(codes.valid(a), true)
    now += 1
    assert.equal(codes.redeem(a), false)
    assert.equal(codes.size, 0)
  })

  it('unknown, empty, overlong or missing secrets are refused; a full book forgets its oldest', () => {
    const codes = book(2)
    const first = codes.issue()
    for (const wrong of [undefined, '', 'x'.repeat(10_000), `${first}x`, first.slice(1)]) assert.equal(codes.valid(wrong), false)
    codes.issue()
    codes.issue()
    assert.equal(codes.valid(first), false)
    assert.equal(codes.size, 2)
  })

  it('the cookie: HttpOnly, SameSite=Strict, Path=/, named per port, read back from a Cookie header', () => {
    const name = sessionCookieName(4321)
    assert.equal(name, 'shoal_session_4321')
    assert.equal(sessionCookie(name, 'abc', 3_600_000), 'shoal_session_4321=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=3600')
    assert.equal(readCookie('a=1; shoal_session_4321=abc; shoal_session_1=zzz', name), 'abc')
    assert.equal(readCookie('shoal_session_1=zzz', name), undefined)
    assert.equal(readCookie(undefined, name), undefined)
  })
})
