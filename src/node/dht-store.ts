import type { KadDHTComponents } from '@libp2p/kad-dht'

type Datastore = KadDHTComponents['datastore']
type Key = Parameters<Datastore['put']>[0]

export interface ProviderRecordLimits {
  /** Provider records kept in all. */
  maxRecords: number
  /** Provider records kept for one content key. */
  maxPerKey: number
  /** Where kad-dht keeps them (`<datastorePrefix>/provider/<key>/<peer id>`). @default '/dht/provider/' */
  prefix?: string
}

/**
 * The datastore kad-dht is given, with its provider records bounded. kad-dht stores every
 * ADD_PROVIDER it is sent (one record per peer id and content key) and drops none: with
 * free peer ids, any peer could fill the node's memory with them. Past either limit, the
 * record written longest ago goes (an honest provider re-announces and comes back).
 */
export function boundProviderRecords (datastore: Datastore, limits: ProviderRecordLimits): Datastore {
  const records = new ProviderRecords(limits)
  const put: Datastore['put'] = async (key, value, options) => {
    const written = await datastore.put(key, value, options)
    for (const evicted of records.add(key)) await datastore.delete(evicted, options)
    return written
  }
  const remove: Datastore['delete'] = async (key, options) => {
    records.remove(key)
    await datastore.delete(key, options)
  }
  return new Proxy(datastore, {
    get: (target, property) => property === 'put' ? put : property === 'delete' ? remove : Reflect.get(target, property)
  })
}

/** kad-dht's components with these stores in place of theirs. */
export function withStores (components: KadDHTComponents, stores: Pick<KadDHTComponents, 'datastore' | 'peerStore'>): KadDHTComponents {
  return new Proxy(components, {
    get: (target, property) => property === 'datastore' || property === 'peerStore' ? stores[property] : Reflect.get(target, property)
  })
}

/** The provider records written, oldest first, in all and per content key. */
class ProviderRecords {
  private readonly all = new Map<string, Key>()
  private readonly byContent = new Map<string, Set<string>>()
  private readonly prefix: string

  constructor (private readonly limits: ProviderRecordLimits) {
    this.prefix = limits.prefix ?? '/dht/provider/'
  }

  /** Count a record written; returns the records to delete to stay within the limits. */
  add (key: Key): Key[] {
    const name = key.toString()
    const content = this.contentOf(name)
    if (content === undefined) return []
    this.remove(key)
    this.all.set(name, key)
    const forContent = this.byContent.get(content) ?? new Set()
    forContent.add(name)
    this.byContent.set(content, forContent)
    const evicted: Key[] = []
    if (forContent.size > this.limits.maxPerKey) evicted.push(this.evict(forContent.values().next().value as string))
    if (this.all.size > this.limits.maxRecords) evicted.push(this.evict(this.all.keys().next().value as string))
    return evicted
  }

  remove (key: Key): void {
    const name = key.toString()
    if (!this.all.delete(name)) return
    const content = this.contentOf(name) as string
    const forContent = this.byContent.get(content)
    forContent?.delete(name)
    if (forContent?.size === 0) this.byContent.delete(content)
  }

  private evict (name: string): Key {
    const key = this.all.get(name) as Key
    this.remove(key)
    return key
  }

  /** `<prefix><content>/<peer>` -> content; undefined for any other key. */
  private contentOf (name: string): string | undefined {
    if (!name.startsWith(this.prefix)) return undefined
    const rest = name.slice(this.prefix.length)
    const slash = rest.indexOf('/')
    return slash <= 0 ? undefined : rest.slice(0, slash)
  }
}
