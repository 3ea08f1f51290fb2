//! The left-to-right order inside each layer, chosen to cross few edges.
//!
//! The first order is the one a depth-first walk from the root meets the
//! nodes in, which keeps neighbourhoods together. Then barycenter sweeps: going down, each layer is sorted by the mean position
//! of its neighbours in the layer above; going up, by those below. Nodes
//! without neighbours on that side keep their place. After each sweep the
//! crossings are counted and the best order seen is kept, then adjacent
//! pairs are swapped wherever that removes crossings. Ties keep the
//! previous order, so the result is deterministic.

/// Sweeps down and up this many times at most.
const SWEEPS: usize = 16;
/// Passes of adjacent swaps at most.
const SWAP_PASSES: usize = 8;

/// Neighbours of every node in the layer above (`up`) and below (`down`).
#[derive(Debug)]
pub(super) struct Adjacency<'a> {
    pub up: &'a [Vec<usize>],
    pub down: &'a [Vec<usize>],
}

/// Reorders `layers` in place.
pub(super) fn reduce_crossings(layers: &mut [Vec<usize>], adjacency: &Adjacency<'_>, nodes: usize) {
    let mut position = vec![0usize; nodes];
    index(layers, &mut position);
    let mut best = layers.to_vec();
    let mut best_count = crossings(layers, adjacency, &position);
    for sweep in 0..SWEEPS {
        if best_count == 0 {
            break;
        }
        if sweep % 2 == 0 {
            for l in 1..layers.len() {
                sort_by_barycenter(&mut layers[l], adjacency.up, &position);
                index(&layers[l..=l], &mut position);
            }
        } else {
            for l in (0..layers.len().saturating_sub(1)).rev() {
                sort_by_barycenter(&mut layers[l], adjacency.down, &position);
                index(&layers[l..=l], &mut position);
            }
        }
        let count = crossings(layers, adjacency, &position);
        if count < best_count {
            best_count = count;
            best = layers.to_vec();
        }
    }
    layers.clone_from_slice(&best);
    index(layers, &mut position);
    swap_adjacent(layers, adjacency, &mut position);
}

fn index(layers: &[Vec<usize>], position: &mut [usize]) {
    for layer in layers {
        for (at, &v) in layer.iter().enumerate() {
            position[v] = at;
        }
    }
}

/// Sorts the nodes that have neighbours by their mean position; the others
/// stay where they are.
fn sort_by_barycenter(layer: &mut [usize], neighbours: &[Vec<usize>], position: &[usize]) {
    let mut movable: Vec<(f64, usize, usize)> = layer
        .iter()
        .enumerate()
        .filter(|(_, v)| !neighbours[**v].is_empty())
        .map(|(at, &v)| {
            let list = &neighbours[v];
            let sum: usize = list.iter().map(|&w| position[w]).sum();
            (sum as f64 / list.len() as f64, at, v)
        })
        .collect();
    movable.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut sorted = movable.into_iter().map(|(_, _, v)| v);
    for slot in layer.iter_mut() {
        if !neighbours[*slot].is_empty()
            && let Some(v) = sorted.next()
        {
            *slot = v;
        }
    }
}

/// Edge crossings of the whole drawing.
pub(super) fn crossings(
    layers: &[Vec<usize>],
    adjacency: &Adjacency<'_>,
    position: &[usize],
) -> usize {
    layers
        .windows(2)
        .map(|pair| {
            let mut segments: Vec<(usize, usize)> = pair[0]
                .iter()
                .flat_map(|&v| {
                    adjacency.down[v]
                        .iter()
                        .map(move |&w| (position[v], position[w]))
                })
                .collect();
            inversions(&mut segments, pair[1].len())
        })
        .sum()
}

/// Pairs of segments `(upper, lower)` that cross: sorted by upper end, the
/// lower ends out of order (counted with a Fenwick tree).
fn inversions(segments: &mut [(usize, usize)], width: usize) -> usize {
    segments.sort_unstable();
    let mut tree = vec![0usize; width + 1];
    let mut count = 0;
    for (seen, &(_, lower)) in segments.iter().enumerate() {
        // Segments seen so far whose lower end is at or left of this one.
        let mut at_or_left = 0;
        let mut i = lower + 1;
        while i > 0 {
            at_or_left += tree[i];
            i &= i - 1;
        }
        count += seen - at_or_left;
        let mut i = lower + 1;
        while i <= width {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}

/// Swaps neighbours in a layer while that lowers the crossings with the
/// layers above and below.
fn swap_adjacent(layers: &mut [Vec<usize>], adjacency: &Adjacency<'_>, position: &mut [usize]) {
    for _ in 0..SWAP_PASSES {
        let mut improved = false;
        for layer in layers.iter_mut() {
            for at in 1..layer.len() {
                let (left, right) = (layer[at - 1], layer[at]);
                let now = pair_crossings(left, right, adjacency, position);
                let swapped = pair_crossings(right, left, adjacency, position);
                if swapped < now {
                    layer.swap(at - 1, at);
                    position[left] = at;
                    position[right] = at - 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Crossings between the edges of `left` and `right` when `left` is drawn
/// left of `right`.
fn pair_crossings(
    left: usize,
    right: usize,
    adjacency: &Adjacency<'_>,
    position: &[usize],
) -> usize {
    [adjacency.up, adjacency.down]
        .iter()
        .map(|side| {
            let mut count = 0;
            for &a in &side[left] {
                for &b in &side[right] {
                    if position[a] > position[b] {
                        count += 1;
                    }
                }
            }
            count
        })
        .sum()
}

/// Every node (bends included) in the order a depth-first walk over the
/// edges, both ways, meets them, starting from the best-ranked node.
pub(super) fn walk(
    n: usize,
    total: usize,
    rank: &[usize],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
) -> Vec<usize> {
    let key = |v: usize| if v < n { rank[v] } else { v };
    let mut starts: Vec<usize> = (0..n).collect();
    starts.sort_by_key(|&v| rank[v]);
    let mut seen = vec![false; total];
    let mut out = Vec::with_capacity(total);
    for start in starts {
        if seen[start] {
            continue;
        }
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            out.push(v);
            let mut next: Vec<usize> = up[v]
                .iter()
                .chain(&down[v])
                .copied()
                .filter(|&w| !seen[w])
                .collect();
            // Pushed in reverse so the best-ranked is walked first.
            next.sort_by_key(|&w| std::cmp::Reverse(key(w)));
            stack.extend(next);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossings_are_counted() {
        // Layer 0: 0 1; layer 1: 2 3. Edges 0-3 and 1-2 cross.
        let up = vec![vec![], vec![], vec![1], vec![0]];
        let down = vec![vec![3], vec![2], vec![], vec![]];
        let adjacency = Adjacency {
            up: &up,
            down: &down,
        };
        let layers = vec![vec![0, 1], vec![2, 3]];
        assert_eq!(crossings(&layers, &adjacency, &[0, 1, 0, 1]), 1);
    }

    #[test]
    fn sweeps_remove_avoidable_crossings() {
        // Two parents, each with two children, children given interleaved.
        let up = vec![vec![], vec![], vec![0], vec![1], vec![0], vec![1]];
        let down = vec![vec![2, 4], vec![3, 5], vec![], vec![], vec![], vec![]];
        let adjacency = Adjacency {
            up: &up,
            down: &down,
        };
        let mut layers = vec![vec![0, 1], vec![2, 3, 4, 5]];
        reduce_crossings(&mut layers, &adjacency, 6);
        let mut position = vec![0; 6];
        index(&layers, &mut position);
        assert_eq!(crossings(&layers, &adjacency, &position), 0);
        assert_eq!(layers[1], vec![2, 4, 3, 5]);
    }
}
