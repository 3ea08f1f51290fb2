//! Which layer (row band, top to bottom) every node sits in.
//!
//! Each edge arrives oriented `(upper, lower)` by its relation's
//! [`Flow`](crate::graph::relations::Flow). Cycles (two components that
//! depend on each other) are broken first by flipping the edges a
//! depth-first search finds pointing back up its path. Then every node takes
//! the longest-path layer (one below its lowest upper neighbour), and a
//! node with nothing above it moves down to just above its highest lower
//! neighbour, so owners and systems sit next to what they hold instead of
//! at the very top with long edges.

/// Layers of the nodes, and which edges were flipped to break cycles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layering {
    /// Layer of each node, from 0 (top).
    pub layer: Vec<usize>,
    /// Per edge: whether it now points the other way.
    pub flipped: Vec<bool>,
}

/// Layers `n` nodes joined by `edges` (`(upper, lower)`); `rank` orders
/// the nodes for every choice the algorithm makes, so the result is
/// deterministic.
pub(super) fn assign(n: usize, edges: &[(usize, usize)], rank: &[usize]) -> Layering {
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_by_key(|&v| rank[v]);
    let flipped = break_cycles(n, edges, &by_rank, rank);
    let oriented: Vec<(usize, usize)> = edges
        .iter()
        .zip(&flipped)
        .map(|(&(a, b), &flip)| if flip { (b, a) } else { (a, b) })
        .collect();

    let mut below: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &oriented {
        below[a].push(b);
        above[b].push(a);
    }

    // Kahn's algorithm, taking ready nodes in rank order.
    let mut waiting: Vec<usize> = above.iter().map(Vec::len).collect();
    let mut ready: std::collections::BTreeSet<(usize, usize)> = by_rank
        .iter()
        .filter(|&&v| waiting[v] == 0)
        .map(|&v| (rank[v], v))
        .collect();
    let mut topological = Vec::with_capacity(n);
    let mut layer = vec![0usize; n];
    while let Some((_, v)) = ready.pop_first() {
        topological.push(v);
        for &w in &below[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            waiting[w] -= 1;
            if waiting[w] == 0 {
                ready.insert((rank[w], w));
            }
        }
    }

    // Nodes with nothing above move down next to what they point at.
    for &v in topological.iter().rev() {
        if above[v].is_empty()
            && let Some(lowest_gap) = below[v].iter().map(|&w| layer[w]).min()
        {
            layer[v] = lowest_gap.saturating_sub(1);
        }
    }
    let top = layer.iter().copied().min().unwrap_or(0);
    for l in &mut layer {
        *l -= top;
    }
    Layering { layer, flipped }
}

/// Depth-first search from every node in rank order; an edge to a node
/// still on the search path closes a cycle and is flipped.
fn break_cycles(
    n: usize,
    edges: &[(usize, usize)],
    by_rank: &[usize],
    rank: &[usize],
) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (at, &(a, _)) in edges.iter().enumerate() {
        out[a].push(at);
    }
    for list in &mut out {
        list.sort_by_key(|&e| rank[edges[e].1]);
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; n];
    let mut flipped = vec![false; edges.len()];
    for &start in by_rank {
        if state[start] != State::New {
            continue;
        }
        // (node, index of the next outgoing edge to look at)
        let mut stack = vec![(start, 0usize)];
        state[start] = State::OnPath;
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            match out[v].get(next) {
                Some(&e) => {
                    top.1 += 1;
                    let w = edges[e].1;
                    match state[w] {
                        State::New => {
                            state[w] = State::OnPath;
                            stack.push((w, 0));
                        }
                        State::OnPath => flipped[e] = true,
                        State::Done => {}
                    }
                }
                None => {
                    state[v] = State::Done;
                    stack.pop();
                }
            }
        }
    }
    flipped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
        let rank: Vec<usize> = (0..n).collect();
        assign(n, edges, &rank).layer
    }

    #[test]
    fn edges_point_down_one_layer_or_more() {
        // 0 above 1 above 2; 3 above 2.
        let edges = [(0, 1), (1, 2), (3, 2)];
        let layer = layers(4, &edges);
        assert_eq!(layer, vec![0, 1, 2, 1]);
    }

    #[test]
    fn cycles_are_broken() {
        let edges = [(0, 1), (1, 2), (2, 0)];
        let result = assign(3, &edges, &[0, 1, 2]);
        assert_eq!(result.flipped, vec![false, false, true]);
        for (&(a, b), &flip) in edges.iter().zip(&result.flipped) {
            let (upper, lower) = if flip { (b, a) } else { (a, b) };
            assert!(result.layer[upper] < result.layer[lower]);
        }
    }

    #[test]
    fn mutual_edges_become_one_direction() {
        let edges = [(0, 1), (1, 0)];
        let result = assign(2, &edges, &[0, 1]);
        assert_eq!(result.flipped, vec![false, true]);
        assert_eq!(result.layer, vec![0, 1]);
    }

    #[test]
    fn isolated_nodes_sit_on_top() {
        assert_eq!(layers(2, &[]), vec![0, 0]);
    }
}
