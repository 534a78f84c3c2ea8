/**
 * Prometheus text, read back for assertions: every sample line as `name{labels}` → value
 * (labels as written, so `shoal_swarms{state="seeding"}`).
 */
export function parsePrometheus (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    samples.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return samples
}

/** A sample's value; throws when the series is missing, so a renamed metric fails loudly. */
export function sample (samples: Map<string, number>, series: string): number {
  const value = samples.get(series)
  if (value === undefined) throw new Error(`no series ${series} in the metrics`)
  return value
}

/** Names of the metric families that have samples, e.g. to check a prefix is present. */
export function metricNames (samples: Map<string, number>): Set<string> {
  return new Set([...samples.keys()].map(series => series.replace(/\{.*$/, '')))
}

/** Names of every metric family the text declares (`# TYPE` lines), samples or not. */
export function declaredFamilies (text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map(m => m[1]))
}

/** The metric names a Grafana dashboard's queries use (shoal_, libp2p_, process_, nodejs_). */
export function dashboardMetricNames (dashboard: { panels: Array<{ targets?: Array<{ expr: string }> }> }): Set<string> {
  const exprs = dashboard.panels.flatMap(p => p.targets ?? []).map(t => t.expr)
  return new Set(exprs.flatMap(e => [...e.matchAll(/\b(?:shoal|libp2p|process|nodejs)_[a-z0-9_]+/g)].map(m => m[0])))
}
