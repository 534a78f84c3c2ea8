import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { OPENAPI } from '../../../src/api/openapi.js'
import { ApiServer } from '../../../src/api/server.js'
import { tempDir } from '../../helpers/temp.js'
import type { ApiNode } from '../../../src/api/server.js'
import { resolveRef, validate } from '../../helpers/json-schema.js'
import type { JsonSchema } from '../../helpers/json-schema.js'

const doc = OPENAPI as unknown as JsonSchema
const schema = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` })

/** Every $ref anywhere in the document. */
function refs (node: unknown): string[] {
  if (node === null || typeof node !== 'object') return []
  return Object.entries(node).flatMap(([key, value]) => key === '$ref' ? [value as string] : refs(value))
}

describe('api/openapi', () => {
  it('docs/openapi.json is the document the node serves (npm run docs:api writes it)', async () => {
    const written = JSON.parse(await readFile(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8'))
    assert.deepEqual(written, JSON.parse(JSON.stringify(OPENAPI)), 'docs/openapi.json is stale: run npm run docs:api')
  })

  it('is OpenAPI 3.1 with every $ref resolving and every operation answering 200 and 401', () => {
    assert.equal(doc.openapi, '3.1.0')
    for (const ref of refs(doc)) assert.doesNotThrow(() => resolveRef(ref, doc), ref)
    for (const [path, item] of Object.entries(doc.paths as Record<string, JsonSchema>)) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(op.responses['200'] !== undefined && op.responses['401'] !== undefined, `${method} ${path}`)
      }
    }
  })

  it('the validator finds what is wrong, with its path: type, required, enum, const, oneOf, additionalProperties, minimum', () => {
    const swarm = { contentId: 'c', name: 'n', path: '/p', directory: false, size: 1, pieceSize: 1, pieceCount: 1, piecesHave: 1, state: 'seeding', peers: 0, uploaded: 0, downloaded: 0, uploadRate: 0, downloadRate: 0, startedAt: 1 }
    const status = { peerId: 'p', addresses: [], connections: 0, reachability: 'unknown', confirmedAddresses: [], swarms: [swarm], bans: [], protocols: [] }
    assert.deepEqual(validate(status, schema('NodeStatus'), doc), [])
    assert.deepEqual(validate({ ...status, connections: '0' }, schema('NodeStatus'), doc), ['$.connections: "0" is not of type integer'])
    assert.deepEqual(validate({ ...status, swarms: [{ ...swarm, state: 'sleeping' }] }, schema('NodeStatus'), doc), ['$.swarms[0].state: "sleeping" is not one of ["downloading","seeding","partial","checking","stopped","error"]'])
    const { peerId: _, ...noPeerId } = status
    assert.deepEqual(validate(noPeerId, schema('NodeStatus'), doc), ['$: "peerId" is required'])
    assert.deepEqual(validate({ ...status, connections: -1 }, schema('NodeStatus'), doc), ['$.connections: -1 is under 0'])
    assert.deepEqual(validate({ type: 'done', path: '/x' }, schema('GetEvent'), doc), [])
    assert.equal(validate({ type: 'finished', path: '/x' }, schema('GetEvent'), doc).length, 1)
    assert.deepEqual(validate({ stopping: false }, doc.paths['/v1/stop'].post.responses['200'].content['application/json'].schema, doc), ['$.stopping: false is not true'])
    const addBody = doc.paths['/v1/add'].post.requestBody.content['application/json'].schema
    assert.deepEqual(validate({ path: '/x', extra: 1 }, addBody, doc), ['$: "extra" is not allowed'])
    assert.deepEqual(validate(1, { type: 'number', format: 'x' }, doc), ['$: the schema uses "format", which this validator does not check'])
  })

  it('GET /v1/openapi.json serves the document, with the token only, like every route', async () => {
    const dir = await tempDir('shoal-openapi-')
    const server = new ApiServer({ node: {} as ApiNode, host: '127.0.0.1', port: 0, dataDir: dir.path, log: defaultLogger().forComponent('shoal:test:api'), onStop: () => {} })
    await server.start()
    try {
      const token = (await readFile(join(dir.path, 'api.token'), 'utf8')).trim()
      const served = await fetch(`${server.address}/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(served.status, 200)
      assert.equal(served.headers.get('content-type'), 'application/json')
      assert.deepEqual(await served.json(), JSON.parse(JSON.stringify(OPENAPI)))
      const refused = await fetch(`${server.address}/v1/openapi.json`)
      assert.equal(refused.status, 401)
      assert.equal((await fetch(`${server.address}/v1/openapi.json`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 405)
    } finally {
      await server.stop()
      await dir.cleanup()
    }
  })
})
