import type { DialFailure, ManifestAnswer, SearchReport } from './types.js'

/** Bootstrap addresses named in a message; the rest are counted. */
const NAMED_ADDRESSES = 2

/**
 * Why a `get` found nobody with the content, from what its search saw: the message of its
 * NoProvidersError. A headline, then the likely cause and what to do on a second line.
 */
export function explainNotFound (contentId: string, timeoutMs: number, report: SearchReport): string {
  const within = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`
  return `no peer with content ${contentId} was found within ${within}\n${likelyCause(contentId, report)}`
}

export function likelyCause (contentId: string, report: SearchReport): string {
  const failures = answersOtherThanNotFound(report)
  if (report.providers > 0 || failures.length > 0) return noValidManifest(report, failures)
  if (report.connectedPeers === 0) return notConnected(report)
  return `connected to ${plural(report.connectedPeers, 'peer')}, none has ${contentId}: check the content id, or that a node holding it is online`
}

function notConnected (report: SearchReport): string {
  const { addresses, failedDials, lastFailure } = report.bootstrap
  if (addresses.length === 0) {
    const where = report.configFile === undefined ? 'the config' : report.configFile
    return `not connected to any peer, and the bootstrap list is empty: add a peer with \`shoal start --bootstrap ADDR\`, or under "bootstrap" in ${where}`
  }
  const peers = `the bootstrap ${addresses.length === 1 ? 'peer' : 'peers'} ${listAddresses(addresses)}`
  const key = report.privateSwarm
    ? 'this node\'s swarm key (swarmKey) is not theirs, or they run without one'
    : 'this is a private swarm and this node lacks its key (swarmKey)'
  if (lastFailure === 'encryption') {
    return `not connected to any peer: ${peers} answered, but the connection's encryption failed: ${key}`
  }
  const dials = failedDials === 0 ? 'no dial has failed yet: they may be slow to answer' : `${plural(failedDials, 'dial')} failed${reasonOf(lastFailure)}`
  return `not connected to any peer: ${peers} could not be reached (${dials}), or ${key}`
}

function noValidManifest (report: SearchReport, failures: string[]): string {
  const found = report.providers > 0 ? `${plural(report.providers, 'provider')} found in the DHT, but none` : `asked ${plural(report.asked, 'peer')}, none`
  const notFound = report.answers['not-found']
  const said = [...(notFound > 0 ? [`${notFound} ${notFound === 1 ? 'does' : 'do'} not have it`] : []), ...failures]
  return `connected to ${plural(report.connectedPeers, 'peer')}; ${found} gave a valid manifest${said.length === 0 ? '' : `: ${said.join(', ')}`}`
}

/** What the peers that did not give the manifest did instead, "not found" aside. */
function answersOtherThanNotFound (report: SearchReport): string[] {
  const words: Record<Exclude<ManifestAnswer, 'not-found'>, string> = {
    unreachable: 'unreachable',
    stalled: 'stalled (too slow or silent)',
    refused: 'refused the request',
    bad: 'sent a bad manifest'
  }
  return (Object.keys(words) as Array<keyof typeof words>)
    .filter(answer => report.answers[answer] > 0)
    .map(answer => `${report.answers[answer]} ${words[answer]}`)
}

function reasonOf (failure: DialFailure | undefined): string {
  switch (failure) {
    case 'refused': return ': connection refused'
    case 'timeout': return ': no answer'
    default: return ''
  }
}

function listAddresses (addresses: readonly string[]): string {
  const named = addresses.slice(0, NAMED_ADDRESSES).join(', ')
  const more = addresses.length - NAMED_ADDRESSES
  return more > 0 ? `${named} and ${more} more` : named
}

export function plural (n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
