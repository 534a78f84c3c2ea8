// Canvas drawings from the snapshots: rate graphs, and the piece map.

const COLORS = { down: '#1d7fd1', up: '#c2410c', have: [46, 133, 64], inflight: [224, 161, 0], missing: [59, 91, 219], none: [201, 42, 42] }
const STATE = { missing: 0, inFlight: 1, have: 2 }
/** The piece map's height to aim for (CSS px), and the most cells it draws. */
const MAP_HEIGHT = 160
const MAX_CELLS = 6000

/** A canvas at the device's pixel ratio, sized to its CSS box; returns its context and size. */
function fit (canvas, cssHeight) {
  const ratio = window.devicePixelRatio || 1
  const width = Math.max(1, Math.floor(canvas.clientWidth))
  const height = cssHeight ?? Math.max(1, Math.floor(canvas.clientHeight))
  if (canvas.width !== Math.floor(width * ratio) || canvas.height !== Math.floor(height * ratio)) {
    canvas.width = Math.floor(width * ratio)
    canvas.height = Math.floor(height * ratio)
  }
  const ctx = canvas.getContext('2d')
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
  ctx.clearRect(0, 0, width, height)
  return { ctx, width, height }
}

/**
 * Down and up rates over the samples (one a second, oldest first), both on one scale; returns
 * the scale's top in bytes per second.
 */
export function drawRates (canvas, samples, capacity, options = {}) {
  const { ctx, width, height } = fit(canvas, options.height)
  const top = Math.max(1, ...samples.map(s => Math.max(s.down, s.up)))
  // a young swarm's graph spans its first minute, then grows to the whole history
  const span = Math.min(capacity, Math.max(60, samples.length))
  const step = width / Math.max(1, span - 1)
  const offset = span - samples.length
  const line = (key, color) => {
    ctx.beginPath()
    samples.forEach((s, i) => {
      const x = (offset + i) * step
      const y = height - 2 - (s[key] / top) * (height - 4)
      if (i === 0) ctx.moveTo(x, y)
      else ctx.lineTo(x, y)
    })
    ctx.strokeStyle = color
    ctx.lineWidth = options.thin ? 1.2 : 2
    ctx.stroke()
  }
  if (!options.thin) {
    ctx.strokeStyle = '#e6e9ef'
    ctx.lineWidth = 1
    for (const f of [0.25, 0.5, 0.75]) {
      ctx.beginPath()
      ctx.moveTo(0, height * f)
      ctx.lineTo(width, height * f)
      ctx.stroke()
    }
  }
  if (samples.length > 0) {
    line('down', COLORS.down)
    line('up', COLORS.up)
  }
  return top
}

function decode (base64) {
  const text = atob(base64)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

/** A piece's colour: have, in flight, or missing shaded by how many peers have it. */
function colourOf (byte, maxAvailability) {
  const state = byte >> 6
  const availability = byte & 63
  if (state === STATE.have) return COLORS.have
  if (state === STATE.inFlight) return COLORS.inflight
  if (availability === 0) return COLORS.none
  // fewer peers, paler: a rare piece is one to watch
  const share = 0.25 + 0.75 * availability / Math.max(1, maxAvailability)
  return COLORS.missing.map(c => Math.round(255 - (255 - c) * share))
}

/**
 * The piece map: one cell per piece when they fit, else each cell stands for a run of pieces
 * and shows the run's least-advanced piece. Returns counts by state.
 */
export function drawPieceMap (canvas, map) {
  const bytes = decode(map.pieces)
  const counts = { have: 0, inFlight: 0, missing: 0 }
  let maxAvailability = 0
  for (const b of bytes) {
    const state = b >> 6
    if (state === STATE.have) counts.have++
    else if (state === STATE.inFlight) counts.inFlight++
    else counts.missing++
    maxAvailability = Math.max(maxAvailability, b & 63)
  }
  const cssWidth = Math.max(1, Math.floor(canvas.clientWidth))
  // cells as large as fit the map in about MAP_HEIGHT px, 3 to 16 px a side; past
  // MAX_CELLS pieces a cell stands for a run of them
  const shown = Math.min(bytes.length, MAX_CELLS)
  const cell = Math.max(3, Math.min(16, Math.floor(Math.sqrt(cssWidth * MAP_HEIGHT / Math.max(1, shown)))))
  const columns = Math.max(1, Math.floor(cssWidth / cell))
  const cells = Math.min(bytes.length, columns * Math.ceil(shown / columns))
  const perCell = bytes.length / Math.max(1, cells)
  const rows = Math.max(1, Math.ceil(cells / columns))
  const { ctx } = fit(canvas, rows * cell)
  canvas.style.height = `${rows * cell}px`
  for (let c = 0; c < cells; c++) {
    const from = Math.floor(c * perCell)
    const to = Math.max(from + 1, Math.floor((c + 1) * perCell))
    let worst = bytes[from]
    for (let i = from + 1; i < to; i++) if ((bytes[i] >> 6) < (worst >> 6)) worst = bytes[i]
    const [r, g, b] = colourOf(worst, maxAvailability)
    ctx.fillStyle = `rgb(${r},${g},${b})`
    ctx.fillRect((c % columns) * cell, Math.floor(c / columns) * cell, cell - (cell > 4 ? 1 : 0), cell - (cell > 4 ? 1 : 0))
  }
  return { ...counts, pieceCount: bytes.length, perCell }
}
