/**
 * The CLI sends its API token only to a loopback address: whatever `dataDir/api` says, a
 * URL that leads elsewhere is refused before any request (issue 12, item 9).
 */
import assert from 'node:assert/strict'
import { ApiClient, loopbackApiUrl } from '../../../src/api/client.js'
import { isNamedError } from '../fixtures.js'

describe('api/client: loopback only', () => {
  it('takes the URLs a node writes: a loopback IP, v4 or v6', () => {
    assert.equal(loopbackApiUrl('http://127.0.0.1:4321'), 'http://127.0.0.1:4321')
    assert.equal(loopbackApiUrl('http://127.0.0.1:4321/'), 'http://127.0.0.1:4321')
    assert.equal(loopbackApiUrl('http://127.8.9.10:1'), 'http://127.8.9.10:1')
    assert.equal(loopbackApiUrl('http://[::1]:4321'), 'http://[::1]:4321')
  })

  it('refuses any other host, scheme, name, credentials or path, naming the file', () => {
    for (const url of [
      'http://192.0.2.2:4321', 'http://10.0.0.1:80', 'http://169.254.169.254', 'http://[fe80::1]:80', 'http://[2001:db8::1]:80',
      'http://0.0.0.0:4321', 'http://[::]:4321', 'http://localhost:4321', 'http://evil.example:80', 'http://127.0.0.1.nip.io:80',
      'https://127.0.0.1:4321', 'http://user:pw@127.0.0.1:4321', 'http://127.0.0.1:4321/x', 'http://127.0.0.1:4321?a=1',
      'file:///etc/passwd', '', 'not a url'
    ]) {
      assert.throws(() => loopbackApiUrl(url, '/data/api'), isNamedError('ApiLocationError', /\/data\/api.*refusing to send the API token/), url)
    }
  })

  it('an ApiClient over such an endpoint cannot be made', () => {
    assert.throws(() => new ApiClient({ url: 'http://192.0.2.2:4321', token: 't', source: '/d/api' }, 'c.json'), isNamedError('ApiLocationError'))
  })
})
