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

/** The swarms table's rows by content id: updated in place, so a click or the focus is never lost to a redraw. */
const swarmRows = new Map()

/** One row per swarm; `sparks` gets each row's rate graph canvas by content id. */
export function renderSwarms (swarms, { selected, sparks, onSelect, onStop }) {
  const tbody = document.querySelector('#swarms tbody')
  const shown = new Set(swarms.map(s => s.contentId))
  for (const [contentId, row] of swarmRows) {
    if (shown.has(contentId)) continue
    row.tr.remove()
    swarmRows.delete(contentId)
    sparks.delete(contentId)
  }
  swarms.forEach((s, i) => {
    let row = swarmRows.get(s.contentId)
    if (row === undefined) {
      row = swarmRow(s, { onSelect, onStop })
      swarmRows.set(s.contentId, row)
      sparks.set(s.contentId, row.spark)
    }
    updateSwarmRow(row, s, selected)
    if (tbody.children[i] !== row.tr) tbody.insertBefore(row.tr, tbody.children[i] ?? null)
  })
  document.getElementById('no-swarms').hidden = swarms.length > 0
}

const SWARM_CELLS = ['state', 'progress', 'down', 'up', 'graph', 'eta', 'peers', 'copies']

function swarmRow (s, { onSelect, onStop }) {
  const row = { swarm: s }
  row.select = el('button', { className: 'link', attrs: { type: 'button', title: 'show its pieces and peers' } })
  row.select.addEventListener('click', () => { onSelect(row.swarm.contentId) })
  row.stop = el('button', { className: 'danger', text: 'Stop', attrs: { type: 'button' } })
  row.stop.addEventListener('click', () => { onStop(row.swarm) })
  row.spark = el('canvas', { className: 'spark', attrs: { width: 120, height: 28, role: 'img' } })
  row.progress = el('progress')
  row.pct = el('span', { className: 'pct' })
  row.cid = el('span', { className: 'cid', text: s.contentId, attrs: { title: s.contentId } })
  row.cells = Object.fromEntries(SWARM_CELLS.map(name => [name, el('td')]))
  row.cells.progress.append(row.progress, row.pct)
  row.cells.graph.append(row.spark)
  row.tr = el('tr', { attrs: { 'data-cid': s.contentId } }, [el('td', {}, [row.select, row.cid]), ...SWARM_CELLS.map(name => row.cells[name]), el('td', {}, [row.stop])])
  const headings = [...document.querySelectorAll('#swarms thead th')].map(th => th.textContent.trim())
  ;[...row.tr.children].forEach((cell, i) => { cell.dataset.label = headings[i] ?? '' })
  return row
}

/** Text only where it changed: an unchanged cell is left alone (and so is a screen reader). */
function setText (node, text) {
  if (node.textContent !== String(text)) node.textContent = String(text)
}

function updateSwarmRow (row, s, selected) {
  row.swarm = s
  const pct = percent(s.piecesHave, s.pieceCount)
  setText(row.select, s.name)
  row.select.setAttribute('aria-pressed', String(s.contentId === selected))
  row.select.dataset.key = `select:${s.contentId}`
  row.stop.setAttribute('aria-label', `Stop ${s.name}`)
  row.spark.setAttribute('aria-label', `rates of ${s.name} over the last minutes`)
  row.tr.classList.toggle('selected', s.contentId === selected)
  row.progress.max = Math.max(1, s.pieceCount)
  row.progress.value = s.piecesHave
  row.progress.setAttribute('aria-label', `${pct}% of ${s.name}`)
  setText(row.pct, `${pct}%`)
  row.cells.state.className = `state ${s.state}`
  setText(row.cells.state, s.state)
  setText(row.cells.down, formatRate(s.downloadRate))
  setText(row.cells.up, formatRate(s.uploadRate))
  setText(row.cells.eta, formatDuration(s.eta))
  setText(row.cells.peers, s.peers)
  setText(row.cells.copies, (s.seederCopies ?? 0).toFixed(2))
  row.cells.copies.title = `${formatBytes(s.uploaded)} sent of ${formatBytes(s.size)}`
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
