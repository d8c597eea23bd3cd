// Traffic ratios: weights to the shares they give, and the two-backend slider's percent to weights.

/** Each weight's share of new traffic in percent (one decimal), as ROUND_ROBIN and STICKY_SESSIONS apply them. */
export function shares(weights) {
  const total = weights.reduce((sum, w) => sum + w, 0);
  return weights.map(w => (total === 0 ? 0 : Math.round((w * 1000) / total) / 10));
}

/** The two-backend slider's position: the first backend's percent of the two weights. */
export function percentOfFirst(first, second) {
  const total = first + second;
  return total === 0 ? 50 : Math.round((first * 100) / total);
}

/** The weights a slider position stands for: percent and 100 - percent. */
export function weightsFor(percent) {
  return [percent, 100 - percent];
}

/** The backends with new weights (same order, everything else kept). */
export function withWeights(backends, weights) {
  return backends.map((backend, i) => ({ ...backend, weight: weights[i] }));
}

/**
 * "Swap": the first two backends' weights for ROUND_ROBIN and STICKY_SESSIONS; for FAILOVER, where the list order
 * is the priority, the primary and the first backup change places.
 */
export function swapped(routing, backends) {
  const next = backends.map(backend => ({ ...backend }));
  if (routing === 'FAILOVER') {
    [next[0], next[1]] = [next[1], next[0]];
  } else {
    [next[0].weight, next[1].weight] = [next[1].weight, next[0].weight];
  }
  return next;
}
