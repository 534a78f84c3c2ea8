/** A busy port said plainly (issue 13, item 4): which address, who may hold it, which key to change. */
import assert from 'node:assert/strict'
import { explainApiListenFailure, explainListenFailure, listenFailures } from '../../../src/node/listen-errors.js'

/** The error libp2p 3's transport manager throws when a listen address fails (its message, as it builds it). */
function libp2pListenError (failures: Record<string, string>): Error {
  const err = new Error(`Some configured addresses failed to be listened on, you may need to remove one or more listen addresses from your configuration or set \`transportManager.faultTolerance\` to NO_FATAL:\n${Object.entries(failures).map(([a, m]) => `\n  ${a}: ${m}\n`).join('')}`)
  err.name = 'UnsupportedListenAddressesError'
  return err
}

const config = { configPath: '/home/u/shoal/config.json' }

describe('node/listen-errors', () => {
  it('reads the failing addresses and reasons out of libp2p\'s message', () => {
    const err = libp2pListenError({ '/ip4/0.0.0.0/tcp/4100': 'Error: listen EADDRINUSE: address already in use 0.0.0.0:4100', '/ip6/::/tcp/4100': 'oops' })
    assert.deepEqual(listenFailures(err.message), [
      { address: '/ip4/0.0.0.0/tcp/4100', reason: 'listen EADDRINUSE: address already in use 0.0.0.0:4100' },
      { address: '/ip6/::/tcp/4100', reason: 'oops' }
    ])
  })

  it('an address in use: AddressInUseError naming the address, Kubo, the key and the config, without libp2p\'s advice', () => {
    const err = explainListenFailure(libp2pListenError({ '/ip4/0.0.0.0/tcp/4100': 'Error: listen EADDRINUSE: address already in use 0.0.0.0:4100' }), config) as Error
    assert.equal(err.name, 'AddressInUseError')
    assert.match(err.message, /cannot listen on \/ip4\/0\.0\.0\.0\/tcp\/4100: the address is in use/)
    assert.match(err.message, /another Shoal node or an IPFS node/)
    assert.match(err.message, /"listen" in \/home\/u\/shoal\/config\.json, or use port 0/)
    assert.doesNotMatch(err.message, /faultTolerance|\n/)
  })

  it('another listen failure: ListenError with the reason and the key', () => {
    const err = explainListenFailure(libp2pListenError({ '/ip4/10.9.9.9/tcp/0': 'Error: listen EADDRNOTAVAIL: address not available 10.9.9.9' }), config) as Error
    assert.equal(err.name, 'ListenError')
    assert.match(err.message, /\/ip4\/10\.9\.9\.9\/tcp\/0 \(listen EADDRNOTAVAIL.*"listen" in \/home/)
    assert.doesNotMatch(err.message, /faultTolerance/)
  })

  it('other errors pass as they are', () => {
    const other = new Error('x')
    assert.equal(explainListenFailure(other, config), other)
    assert.equal(explainApiListenFailure(other, { host: '127.0.0.1', port: 5001 }, config), other)
  })

  it('the control API\'s port in use names api.port', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })
    const err = explainApiListenFailure(busy, { host: '::1', port: 5001 }, config) as Error
    assert.equal(err.name, 'AddressInUseError')
    assert.match(err.message, /cannot listen on \[::1\]:5001 for the control API: the address is in use.*"api\.port" in \/home\/u\/shoal\/config\.json/)
  })
})
