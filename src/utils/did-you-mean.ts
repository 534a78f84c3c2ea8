/** "Did you mean" for a misspelled name: a config key, a flag, a command. */

/**
 * Edit distance with swaps (optimal string alignment): the fewest single-character inserts,
 * deletes, substitutions and swaps of neighbours from `a` to `b`; "stauts" is one swap from "status".
 */
export function editDistance (a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1)
      row.push(best)
    }
    rows.push(row)
  }
  return rows[a.length][b.length]
}

/**
 * The known name `word` most likely meant, or undefined when none is close: the same name in
 * another case first, else the nearest within a third of its length in edits (at least one,
 * at most three), so that a short typo is caught and an unrelated word gets no suggestion.
 */
export function closestName (word: string, known: Iterable<string>): string | undefined {
  const names = [...known]
  const lower = word.toLowerCase()
  const sameLetters = names.find(n => n.toLowerCase() === lower)
  if (sameLetters !== undefined) return sameLetters
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  let best: { name: string, distance: number } | undefined
  for (const name of names) {
    const distance = editDistance(lower, name.toLowerCase())
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}
