// The dashboard: one event stream (status a few times a second at most, and the selected
// swarm's peers and pieces), graphs kept here from the snapshots, and the page's actions
// through the same API the CLI uses (the session cookie instead of the token).
import { drawPieceMap, drawRates } from './charts.js'
import { formatRate } from './format.js'
import { renderNode, renderPeers, renderSwarms } from './render.js'

/** One sample a second, five minutes of them. */
const HISTORY = 300
const state = {
  status: undefined,
  detail: undefined,
  selected: new URLSearchParams(location.hash.slice(1)).get('swarm') ?? undefined,
  history: new Map(),
  sparks: new Map(),
  events: undefined
}

function setLive (text, bad = false) {
  const live = document.getElementById('live')
  live.textContent = text
  live.classList.toggle('bad', bad)
}

function connect () {
  state.events?.close()
  const query = state.selected === undefined ? '' : `?swarm=${encodeURIComponent(state.selected)}`
  const events = new EventSource(`/v1/events${query}`)
  state.events = events
  events.addEventListener('open', () => { setLive('live') })
  events.addEventListener('status', (e) => {
    state.status = JSON.parse(e.data)
    render()
  })
  events.addEventListener('swarm', (e) => {
    state.detail = JSON.parse(e.data) ?? undefined
    renderDetail()
  })
  events.addEventListener('error', () => {
    if (events.readyState !== EventSource.CLOSED) {
      setLive('reconnecting…', true)
      return
    }
    void whyClosed()
  })
}

/** The stream was refused: a session that ended, a node that stopped, or too many tabs. */
async function whyClosed () {
  try {
    const res = await fetch('/v1/status', { headers: { accept: 'application/json' } })
    if (res.status === 401) {
      setLive('logged out: run "shoal dashboard" for a new link', true)
      return
    }
    const body = await res.json().catch(() => ({}))
    setLive(res.ok ? 'stream closed, retrying…' : `the node refused the stream: ${body.error?.message ?? res.status}`, true)
  } catch {
    setLive('the node is not answering (stopped?), retrying…', true)
  }
  setTimeout(connect, 3000)
}

function render () {
  const status = state.status
  if (status === undefined) return
  renderNode(status)
  if (state.selected !== undefined && !status.swarms.some(s => s.contentId === state.selected)) select(undefined)
  renderSwarms(status.swarms, { selected: state.selected, sparks: state.sparks, onSelect: select, onStop: stopSwarm })
  drawGraphs()
}

function select (contentId) {
  state.selected = contentId === state.selected ? undefined : contentId
  state.detail = undefined
  history.replaceState(null, '', state.selected === undefined ? '#' : `#swarm=${state.selected}`)
  document.getElementById('detail').hidden = true
  connect()
  render()
}

function renderDetail () {
  const detail = state.detail
  const swarm = state.status?.swarms.find(s => s.contentId === state.selected)
  const section = document.getElementById('detail')
  if (detail === undefined || swarm === undefined || detail.contentId !== swarm.contentId) {
    section.hidden = true
    return
  }
  section.hidden = false
  document.getElementById('detail-title').textContent = `Swarm: ${swarm.name}`
  document.getElementById('detail-cid').textContent = swarm.contentId
  renderPeers(detail.peers, swarm.pieceCount)
  if (detail.pieces !== undefined) {
    const counts = drawPieceMap(document.getElementById('piece-map'), detail.pieces)
    const per = counts.perCell > 1 ? ` (a cell stands for ${counts.perCell.toFixed(1)} pieces)` : ''
    document.getElementById('piece-summary').textContent = `${counts.have} have, ${counts.inFlight} in flight, ${counts.missing} missing of ${counts.pieceCount} pieces${per}`
  }
  drawGraphs()
}

/** A sample a second of each swarm's rates, from the last snapshot (a quiet node sends none). */
function sample () {
  for (const s of state.status?.swarms ?? []) {
    const samples = state.history.get(s.contentId) ?? []
    samples.push({ down: s.downloadRate, up: s.uploadRate })
    if (samples.length > HISTORY) samples.shift()
    state.history.set(s.contentId, samples)
  }
  drawGraphs()
}

function drawGraphs () {
  for (const [contentId, canvas] of state.sparks) {
    if (!canvas.isConnected) continue
    drawRates(canvas, state.history.get(contentId) ?? [], HISTORY, { thin: true, height: 28 })
  }
  const section = document.getElementById('detail')
  if (state.selected === undefined || section.hidden) return
  const top = drawRates(document.getElementById('detail-graph'), state.history.get(state.selected) ?? [], HISTORY, { height: 160 })
  const seconds = Math.min(HISTORY, Math.max(60, state.history.get(state.selected)?.length ?? 0))
  document.getElementById('detail-scale').textContent = `(last ${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} minutes`}, top of scale ${formatRate(top)})`
}

function say (text, isError = false) {
  const out = document.getElementById('action-result')
  out.textContent = text
  out.classList.toggle('error', isError)
}

async function post (path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) {
    const answer = await res.json().catch(() => ({}))
    throw new Error(answer.error?.message ?? `the node answered ${res.status}`)
  }
  return res
}

async function addPath (event) {
  event.preventDefault()
  const form = event.currentTarget
  const path = form.elements.path.value.trim()
  const button = form.querySelector('button')
  button.disabled = true
  say(`adding ${path}…`)
  try {
    const result = await (await post('/v1/add', { path })).json()
    say(`added ${result.name}: ${result.contentId}`)
    form.reset()
  } catch (err) {
    say(`add failed: ${err.message}`, true)
  } finally {
    button.disabled = false
  }
}

/** A get streams its progress as JSON lines; this page follows it until done (closing the page cancels it). */
async function getContent (event) {
  event.preventDefault()
  const form = event.currentTarget
  const given = form.elements.contentId.value.trim()
  const outputDir = form.elements.outputDir.value.trim()
  let contentId = given
  try {
    if (given.startsWith('shoal1')) {
      // a ticket: the node dials the peers it names, then looks for the content as for an id
      say('dialling the ticket\'s peers…')
      const dialled = await (await post('/v1/ticket/dial', { ticket: given })).json()
      contentId = dialled.contentId
      if (dialled.reached === 0) say(`could not reach the ticket's peers (${dialled.failure ?? 'no answer'}); looking for others`)
    }
    say(`looking for ${contentId}…`)
    const res = await post('/v1/get', { contentId, outputDir })
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let pending = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      pending += value
      const lines = pending.split('\n')
      pending = lines.pop()
      for (const line of lines.filter(l => l.trim() !== '')) {
        const e = JSON.parse(line)
        if (e.type === 'done') say(`got ${contentId} into ${e.path}`)
        else if (e.type === 'error') say(`get failed: ${e.error.message}`, true)
        else if (e.type === 'shoal:get:manifest') say(`getting ${e.name}…`)
      }
    }
  } catch (err) {
    say(`get failed: ${err.message}`, true)
  }
}

async function stopSwarm (swarm) {
  if (!confirm(`Stop ${swarm.name} (${swarm.contentId})? Its files stay.`)) return
  try {
    await post('/v1/cancel', { contentId: swarm.contentId })
    say(`stopped ${swarm.name}`)
  } catch (err) {
    say(`stop failed: ${err.message}`, true)
  }
}

document.getElementById('add-form').addEventListener('submit', (e) => { void addPath(e) })
document.getElementById('get-form').addEventListener('submit', (e) => { void getContent(e) })
window.addEventListener('resize', () => { renderDetail() })
setInterval(sample, 1000)
connect()
