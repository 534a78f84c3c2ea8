/**
 * Tickets (issue 16, item 5): `shoal add` prints one on stderr (the content id stays the last
 * stdout line), `shoal ticket CID` prints it, and `shoal get TICKET` on a node with an empty
 * bootstrap list, no DHT and no mDNS gets the content from the ticket's addresses alone.
 * Both listen on the wildcard address: the seeder's loopback address is dialled only because
 * the ticket (the user) named it, and its several addresses are dialled at once.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { STACK_LINE, ShoalProcess, explain, killAll, lastLine, sha256 } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'

const ALONE = { bootstrap: [], dht: { enabled: false }, mdns: { enabled: false } }
const TICKET = /^shoal1[a-z2-7]+$/

function assertOneLine (r: RunResult, code: number, message: RegExp): void {
  assert.equal(r.code, code, explain(r))
  assert.match(r.stderr, message, explain(r))
  assert.doesNotMatch(r.stdout + r.stderr, STACK_LINE, explain(r))
}

describe('e2e: tickets', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let seeder: ShoalProcess
  let source: string

  beforeEach(async () => {
    dir = await tempDir('shoal-e2e-ticket-')
    source = join(dir.path, 'file.bin')
    await randomFile(source, 3 * 1024 * 1024)
    // on the wildcard: the ticket holds every address of the machine, dialled at once
    seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { ...ALONE, listen: ['/ip4/0.0.0.0/tcp/0'] })
  })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('add prints the ticket on stderr; shoal ticket prints it; get TICKET alone gets the content', async () => {
    const added = await seeder.shoal('add', source)
    assert.equal(added.code, 0, explain(added))
    const contentId = lastLine(added.stdout)
    assert.match(contentId, /^bafkrei/, 'the content id is the last line of stdout')
    const fromAdd = /^ticket: (\S+)$/m.exec(added.stderr)?.[1] ?? ''
    assert.match(fromAdd, TICKET, explain(added))
    const printed = await seeder.shoal('ticket', contentId)
    assert.equal(printed.code, 0, explain(printed))
    const ticket = printed.stdout.trim()
    assert.match(ticket, TICKET)
    assert.equal(ticket, fromAdd)

    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { ...ALONE, listen: ['/ip4/0.0.0.0/tcp/0'] })
    const output = join(dir.path, 'out.bin')
    const got = await leecher.shoal('get', ticket, '--output', output, '--timeout', '30s')
    assert.equal(got.code, 0, explain(got))
    assert.equal(lastLine(got.stdout), output)
    assert.equal(await sha256(output), await sha256(source))
  })

  it('bad tickets are a usage error in one line; a ticket for content the node lacks is exit 1', async () => {
    assertOneLine(await seeder.shoal('get', 'shoal1!!!'), 2, /the ticket is damaged: it is not base32 after shoal1/)
    assertOneLine(await seeder.shoal('get', 'shoal1aaaa'), 2, /the ticket is damaged/)
    const missing = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    assertOneLine(await seeder.shoal('ticket', missing), 1, /this node has no content bafkrei\S+ \(shoal add it, or get it, first\)/)
    assertOneLine(await seeder.shoal('ticket'), 2, /shoal ticket needs a content id/)
  })

  it('a ticket whose peer is gone: get says so in one line and goes on looking, until its timeout', async () => {
    const contentId = await seeder.add(source)
    const ticket = (await seeder.shoal('ticket', contentId)).stdout.trim()
    await seeder.kill()
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), ALONE)
    const got = await leecher.shoal('get', ticket, '--output', join(dir.path, 'out.bin'), '--timeout', '3s')
    assert.equal(got.code, 1, explain(got))
    assert.match(got.stderr, /could not reach the ticket's peer \(cannot connect to .*\); looking for others/, explain(got))
    assert.doesNotMatch(got.stdout + got.stderr, STACK_LINE, explain(got))
  })
})
