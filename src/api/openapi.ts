/**
 * The control API's reference: an OpenAPI 3.1 document, the one source for docs/openapi.json
 * (written by `npm run docs:api`) and for what the node serves at GET /v1/openapi.json.
 * test/integration/openapi.spec.ts calls every route of a real node and validates its
 * answers against these schemas.
 */

type Schema = Record<string, unknown>

const int = (description?: string): Schema => ({ type: 'integer', minimum: 0, ...(description === undefined ? {} : { description }) })
const str = (description?: string): Schema => ({ type: 'string', ...(description === undefined ? {} : { description }) })
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description === undefined ? {} : { description }) })
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const obj = (required: string[], properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object', required, properties, ...(description === undefined ? {} : { description })
})
const json = (schema: Schema, description: string): Schema => ({ description, content: { 'application/json': { schema } } })
const body = (schema: Schema): Schema => ({ required: true, content: { 'application/json': { schema } } })

/** Every refusal: 4xx (5xx for a fault of the node's own), never echoing the request. */
const errors: Record<string, Schema> = {
  400: json(ref('Error'), 'a bad request body, or an operation that failed (the error\'s name says which: InvalidContentIdError, ConnectError, UnknownContentError...)'),
  401: json(ref('Error'), 'no token, or the wrong one'),
  403: json(ref('Error'), 'a request with an Origin header (a browser page)'),
  413: json(ref('Error'), 'a body over 64 KiB'),
  415: json(ref('Error'), 'a body that is not application/json')
}

/** What went wrong: inside every error answer, and in a get stream's `error` line. */
const errorObject = obj(['name', 'message'], { name: str('the error class, e.g. UnknownContentError; InternalError for a fault of the node'), message: str() })

const schemas: Record<string, Schema> = {
  Error: obj(['error'], { error: errorObject }),
  NodeStatus: obj(['peerId', 'addresses', 'connections', 'reachability', 'confirmedAddresses', 'swarms', 'bans', 'protocols'], {
    peerId: str(),
    addresses: { type: 'array', items: str('a listen multiaddr ending in /p2p/<peer id>') },
    swarmKey: str('short fingerprint of the swarm key, when the swarm is private'),
    connections: int(),
    reachability: { type: 'string', enum: ['public', 'private', 'unknown'], description: 'whether others can dial this node, as AutoNAT found' },
    confirmedAddresses: { type: 'array', items: str('a public address confirmed dialable') },
    mappedAddresses: { type: 'array', items: str('an address the router mapped by UPnP'), description: 'only with nat.upnp' },
    swarms: { type: 'array', items: ref('SwarmStatus') },
    bans: { type: 'array', items: ref('Ban') },
    gatewayUrl: str('the HTTP gateway: content at {gatewayUrl}/content/<cid>[/<path>]'),
    protocols: { type: 'array', items: obj(['module', 'protocolIds'], { module: str('as written in the config; built-ins are shoal:<name>'), protocolIds: { type: 'array', items: str() } }) }
  }),
  SwarmStatus: obj(['contentId', 'name', 'path', 'directory', 'size', 'pieceSize', 'pieceCount', 'piecesHave', 'state', 'peers', 'uploaded', 'downloaded', 'uploadRate', 'downloadRate', 'startedAt'], {
    contentId: str('CIDv1'),
    name: str(),
    path: str(),
    directory: bool(),
    size: int('bytes of content'),
    pieceSize: int(),
    pieceCount: int(),
    piecesHave: int('pieces verified here'),
    state: { type: 'string', enum: ['downloading', 'seeding', 'partial', 'checking', 'stopped', 'error'] },
    peers: int(),
    uploaded: int('piece bytes sent'),
    downloaded: int('piece bytes received'),
    uploadRate: { type: 'number', minimum: 0, description: 'piece bytes a second sent lately' },
    downloadRate: { type: 'number', minimum: 0 },
    startedAt: int('ms since the epoch, this run'),
    completedAt: int(),
    error: str(),
    peerDetails: { type: 'array', items: ref('PeerStatus'), description: 'only with ?peers=1' },
    only: { type: 'array', items: str(), description: 'the selected files\' paths, when a get fetches only some (get --only)' },
    files: { type: 'array', items: ref('FileStatus'), description: 'only with ?files=1' }
  }),
  FileStatus: obj(['path', 'size', 'selected', 'bytesVerified', 'complete'], {
    path: str('within the content'),
    size: int(),
    selected: bool('fetched by this download'),
    bytesVerified: int('its bytes verified and on disk'),
    complete: bool()
  }),
  PeerStatus: obj(['peerId', 'piecesHave', 'seed', 'downloaded', 'uploaded', 'downloadRate', 'uploadRate', 'choked', 'chokingUs', 'snubbed', 'requestsOut', 'requestsQueued'], {
    peerId: str(),
    piecesHave: int(),
    seed: bool(),
    downloaded: int(),
    uploaded: int(),
    downloadRate: { type: 'number', minimum: 0 },
    uploadRate: { type: 'number', minimum: 0 },
    choked: bool('we refuse its requests'),
    chokingUs: bool('it refuses ours'),
    snubbed: bool('it stopped answering our requests'),
    requestsOut: int(),
    requestsQueued: int(),
    connection: { type: 'string', enum: ['direct', 'relayed'], description: 'relayed: through a circuit relay; absent with no open connection' }
  }),
  Ban: obj(['peerId', 'reason', 'until'], { peerId: str(), reason: str(), until: int('ms since the epoch') }),
  AddResult: obj(['contentId', 'name', 'size', 'pieceCount', 'path'], {
    contentId: str(),
    name: str(),
    size: int(),
    pieceCount: int(),
    path: str(),
    skippedLinks: obj(['count', 'first'], { count: int(), first: { type: 'array', items: str() } }, 'symbolic links not followed')
  }),
  CancelResult: obj(['contentId', 'path', 'origin', 'complete', 'removed'], {
    contentId: str(), path: str(), origin: { type: 'string', enum: ['seed', 'download'] }, complete: bool(), removed: bool()
  }),
  SearchReport: obj(['elapsed', 'connectedPeers', 'providers', 'asked', 'answers', 'connections', 'bootstrap', 'privateSwarm'], {
    elapsed: int('ms'),
    connectedPeers: int(),
    providers: int(),
    asked: int(),
    answers: obj(['not-found', 'stalled', 'bad', 'refused', 'unreachable'], { 'not-found': int(), stalled: int(), bad: int(), refused: int(), unreachable: int() }),
    connections: int(),
    bootstrap: obj(['addresses', 'connected', 'failedDials'], {
      addresses: { type: 'array', items: str() },
      connected: int(),
      failedDials: int(),
      lastFailure: { type: 'string', enum: ['refused', 'timeout', 'encryption', 'other'] }
    }),
    privateSwarm: bool(),
    configFile: str()
  }),
  GetEvent: {
    description: 'one line of the get stream; the last is done or error',
    oneOf: [
      obj(['type', 'contentId'], { type: { const: 'shoal:get:searching' }, contentId: str(), search: ref('SearchReport') }),
      obj(['type', 'contentId', 'name', 'size', 'pieceCount'], { type: { const: 'shoal:get:manifest' }, contentId: str(), name: str(), size: int(), pieceCount: int() }),
      obj(['type', 'contentId', 'piecesHave', 'pieceCount', 'bytesHave', 'size', 'peers'], { type: { const: 'shoal:get:progress' }, contentId: str(), piecesHave: int(), pieceCount: int(), bytesHave: int(), size: int(), peers: int() }),
      obj(['type', 'contentId', 'path'], { type: { const: 'shoal:get:complete' }, contentId: str(), path: str() }),
      obj(['type', 'path'], { type: { const: 'done' }, path: str('where the content is') }),
      obj(['type', 'error'], { type: { const: 'error' }, error: errorObject })
    ]
  }
}

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Shoal control API',
    version: '1',
    description: 'The local control API the shoal CLI talks to. Loopback only; every route wants the token from dataDir/api.token as `Authorization: Bearer <token>`; the address is in dataDir/api. Bodies are application/json of at most 64 KiB; every refusal is `{ "error": { "name", "message" } }`.'
  },
  servers: [{ url: 'http://127.0.0.1:{port}', variables: { port: { default: '0', description: 'from dataDir/api' } } }],
  security: [{ bearer: [] }],
  paths: {
    '/v1/status': {
      get: {
        summary: 'the node and its swarms (shoal status --json)',
        parameters: [
          { name: 'peers', in: 'query', required: false, schema: { type: 'string', enum: ['1'] }, description: '1: every swarm\'s peerDetails too' },
          { name: 'files', in: 'query', required: false, schema: { type: 'string', enum: ['1'] }, description: '1: every swarm\'s files, with their progress, too' }
        ],
        responses: { 200: json(ref('NodeStatus'), 'the status'), 401: errors[401], 403: errors[403] }
      }
    },
    '/v1/add': {
      post: {
        summary: 'hash a file or folder and seed it in place (shoal add)',
        requestBody: body({ type: 'object', required: ['path'], additionalProperties: false, properties: { path: str('absolute'), followSymlinks: bool() } }),
        responses: { 200: json(ref('AddResult'), 'added and seeding'), ...errors }
      }
    },
    '/v1/get': {
      post: {
        summary: 'download by content id (shoal get): a stream of progress lines, one JSON object each, ending with done or error',
        requestBody: body({
          type: 'object',
          required: ['contentId'],
          additionalProperties: false,
          properties: {
            contentId: str(),
            output: str('absolute: the file for a file, the folder for a folder'),
            outputDir: str('absolute: without output, the folder the content\'s own name goes in'),
            timeout: { type: 'integer', minimum: 1, description: 'ms to find a peer with the content' },
            force: bool(),
            sequential: bool(),
            only: { type: 'array', items: str(), description: 'fetch only these files or folders (paths within the content); on a download of some files, they join its selection; an unknown path is an UnknownPathError' }
          }
        }),
        responses: {
          200: { description: 'progress lines; a failure after the stream began is its last line (type error)', content: { 'application/x-ndjson': { schema: ref('GetEvent') } } },
          ...errors
        }
      }
    },
    '/v1/connect': {
      post: {
        summary: 'dial a peer (shoal connect)',
        requestBody: body({ type: 'object', required: ['address'], properties: { address: str('a multiaddr ending in /p2p/<peer id>') } }),
        responses: { 200: json(obj(['peerId', 'address'], { peerId: str(), address: str() }), 'connected'), ...errors }
      }
    },
    '/v1/cancel': {
      post: {
        summary: 'stop and forget a swarm (shoal cancel); UnknownContentError (400) when there is none',
        requestBody: body({ type: 'object', required: ['contentId'], additionalProperties: false, properties: { contentId: str(), remove: bool('delete what the download made') } }),
        responses: { 200: json(ref('CancelResult'), 'cancelled'), ...errors }
      }
    },
    '/v1/select': {
      post: {
        summary: 'change which files a running download fetches (shoal select): exactly the paths given, or every file (only absent); UnknownPathError (400) for a path that names nothing',
        requestBody: body({ type: 'object', required: ['contentId'], additionalProperties: false, properties: { contentId: str(), only: { type: 'array', items: str(), description: 'files or folders within the content, at least one' } } }),
        responses: { 200: json(obj(['contentId'], { contentId: str(), only: { type: 'array', items: str(), description: 'the selection now; absent: every file' } }), 'selected'), ...errors }
      }
    },
    '/v1/stop': {
      post: {
        summary: 'stop the node (shoal stop); it stops once the answer is sent',
        responses: { 200: json(obj(['stopping'], { stopping: { const: true } }), 'stopping'), 401: errors[401], 403: errors[403] }
      }
    },
    '/v1/openapi.json': {
      get: {
        summary: 'this document',
        responses: { 200: json({ type: 'object', required: ['openapi', 'paths'] }, 'the OpenAPI document'), 401: errors[401], 403: errors[403] }
      }
    },
    '/v1/ticket/dial': {
      post: {
        summary: 'dial every peer a ticket (shoal1…) names, trusted as shoal connect addresses are; then get its content id as usual (the dashboard gets by ticket so)',
        requestBody: body({ type: 'object', required: ['ticket'], additionalProperties: false, properties: { ticket: str('shoal1…') } }),
        responses: { 200: json(obj(['contentId', 'peers', 'reached'], { contentId: str(), peers: int('peers the ticket names'), reached: int('of those, connected now'), failure: str('why the last dial failed, when none was reached') }), 'dialled'), ...errors }
      }
    },
    '/v1/dashboard/login-code': {
      post: {
        summary: 'a one-time login code for the web dashboard (shoal dashboard): the URL carries it, the page trades it once for an HttpOnly session cookie; only the token (not a session) may ask',
        responses: { 200: json(obj(['code', 'url', 'expiresIn'], { code: str(), url: str('http://127.0.0.1:<port>/dashboard/login?code=<code>'), expiresIn: int('ms the code can be used, once') }), 'a login code'), 401: errors[401], 403: errors[403] }
      }
    },
    '/v1/events': {
      get: {
        summary: 'server-sent events for the dashboard: a `status` event (the status, as GET /v1/status) a few times a second at most, and with ?swarm=CID a `swarm` event (its peers and piece map)',
        parameters: [{ name: 'swarm', in: 'query', required: false, schema: { type: 'string' }, description: 'a content id whose peers and pieces to send too' }],
        responses: { 200: { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 401: errors[401], 403: errors[403] }
      }
    },
    '/v1/swarms/{cid}/pieces': {
      get: {
        summary: 'a swarm\'s piece map: one byte per piece, base64; the top 2 bits the state (0 missing, 1 in flight, 2 have), the low 6 how many peers have it (63 for 63 or more)',
        parameters: [{ name: 'cid', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: json(obj(['contentId', 'pieceCount', 'encoding', 'pieces'], { contentId: str(), pieceCount: int(), encoding: { const: 'base64' }, pieces: str() }), 'the piece map'),
          404: json(ref('Error'), 'no swarm for that content id'),
          ...errors
        }
      }
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics: shoal_, libp2p_ and process metrics, in the text exposition format 0.0.4',
        responses: {
          200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: errors[401],
          403: errors[403]
        }
      }
    }
  },
  components: {
    schemas,
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the hex token in dataDir/api.token (mode 0600), new at every start' } }
  }
} as const
