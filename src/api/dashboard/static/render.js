// The page's tables and lists, built with textContent only: names and addresses come from
// peers and are never parsed as HTML.
import { chokeWords, formatBytes, formatDuration, formatRate, percent } from './format.js'

export function el (tag, options = {}, children = []) {
  const node = document.createElement(tag)
  if (options.text !== undefined) node.textContent = String(options.text)
  if (options.className !== undefined) node.className = options.className
  for (const [key, value] of Object.entries(options.attrs ?? {})) node.setAttribute(key, String(value))
  for (const child of children) node.append(child)
  return node
}

/** Rows, each cell labelled with its column's heading (a narrow screen shows cells as labelled lines). */
function replaceRows (tbody, rows) {
  const headings = [...tbody.closest('table').querySelectorAll('thead th')].map(th => th.textContent.trim())
  for (const row of rows) [...row.children].forEach((cell, i) => { cell.dataset.label = headings[i] ?? '' })
  tbody.replaceChildren(...rows)
}

export function renderNode (status) {
  document.getElementById('peer-id').textContent = status.peerId
  document.getElementById('connections').textContent = String(status.connections)
  const dht = status.dhtRoutingTableSize ?? 0
  document.getElementById('dht').textContent = `${dht} ${dht === 1 ? 'peer' : 'peers'}`
  document.getElementById('swarm-key').textContent = status.swarmKey === undefined ? 'none (public network)' : `${status.swarmKey} (private swarm)`
  document.getElementById('addresses').replaceChildren(...status.addresses.map(a => el('li', { text: a })))
  document.getElementById('protocols').replaceChildren(...(status.protocols ?? []).map(p => el('li', { text: `${p.module}: ${p.protocolIds.join(', ')}` })))
  const bans = status.bans ?? []
  document.getElementById('bans').replaceChildren(...bans.map(b => el('li', { text: `${b.peerId} until ${new Date(b.until).toLocaleString()}: ${b.reason}` })))
  document.getElementById('no-bans').hidden = bans.length > 0
}

/**
 * One row per swarm. Rows are rebuilt each snapshot, but the focused button keeps its focus:
 * `actions` gives the row's buttons, `sparks` a canvas per content id (kept across rebuilds).
 */
export function renderSwarms (swarms, { selected, sparks, onSelect, onStop }) {
  const tbody = document.querySelector('#swarms tbody')
  const focused = document.activeElement?.dataset?.key
  replaceRows(tbody, swarms.map(s => swarmRow(s, { selected, sparks, onSelect, onStop })))
  document.getElementById('no-swarms').hidden = swarms.length > 0
  if (focused !== undefined) tbody.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus()
}

function swarmRow (s, { selected, sparks, onSelect, onStop }) {
  const pct = percent(s.piecesHave, s.pieceCount)
  const select = el('button', { className: 'link', text: s.name, attrs: { type: 'button', 'aria-pressed': s.contentId === selected, 'data-key': `select:${s.contentId}`, title: 'show its pieces and peers' } })
  select.addEventListener('click', () => { onSelect(s.contentId) })
  const stop = el('button', { className: 'danger', text: 'Stop', attrs: { type: 'button', 'data-key': `stop:${s.contentId}`, 'aria-label': `Stop ${s.name}` } })
  stop.addEventListener('click', () => { onStop(s) })
  let spark = sparks.get(s.contentId)
  if (spark === undefined) {
    spark = el('canvas', { className: 'spark', attrs: { width: 120, height: 28, role: 'img', 'aria-label': `rates of ${s.name} over the last minutes` } })
    sparks.set(s.contentId, spark)
  }
  const row = el('tr', { className: s.contentId === selected ? 'selected' : '', attrs: { 'data-cid': s.contentId } }, [
    el('td', {}, [select, el('span', { className: 'cid', text: s.contentId, attrs: { title: s.contentId } })]),
    el('td', { className: `state ${s.state}`, text: s.state }),
    el('td', {}, [el('progress', { attrs: { max: s.pieceCount, value: s.piecesHave, 'aria-label': `${pct}% of ${s.name}` } }), el('span', { className: 'pct', text: `${pct}%` })]),
    el('td', { text: formatRate(s.downloadRate) }),
    el('td', { text: formatRate(s.uploadRate) }),
    el('td', {}, [spark]),
    el('td', { text: formatDuration(s.eta) }),
    el('td', { text: s.peers }),
    el('td', { text: (s.seederCopies ?? 0).toFixed(2), attrs: { title: `${formatBytes(s.uploaded)} sent of ${formatBytes(s.size)}` } }),
    el('td', {}, [stop])
  ])
  return row
}

export function renderPeers (peers, pieceCount) {
  const tbody = document.querySelector('#peers tbody')
  replaceRows(tbody, peers.map(p => el('tr', { attrs: { 'data-peer': p.peerId } }, [
    el('td', {}, [el('span', { className: 'cid', text: p.peerId, attrs: { title: p.peerId } }), el('span', { className: 'muted small', text: p.remoteAddress ?? '' })]),
    el('td', { text: p.direction ?? '?' }),
    el('td', { text: p.seed ? 'seed' : `${p.piecesHave}/${pieceCount}` }),
    el('td', { text: formatRate(p.downloadRate) }),
    el('td', { text: formatRate(p.uploadRate) }),
    el('td', { className: 'choke', text: chokeWords(p) }),
    el('td', { text: p.requestsOut })
  ])))
  document.getElementById('no-peers').hidden = peers.length > 0
}
