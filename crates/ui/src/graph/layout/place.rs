//! Coordinates: rows, then x positions.
//!
//! A layer wider than [`MAX_ROW_WIDTH`](super::MAX_ROW_WIDTH) is wrapped
//! into several rows of about equal width (in its crossing-reduced order),
//! so a group with eighty members stays a readable block that scrolls
//! instead of a strip that must shrink to fit. Then every node is pulled
//! towards the mean x of its neighbours, a row at a time, sweeping down and
//! up; inside a row the best positions that keep the order and the gaps are
//! found exactly by isotonic regression (pool adjacent violators).

/// Sweeps of the x placement.
const SWEEPS: usize = 8;

/// One row of nodes, left to right.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub layer: usize,
    pub nodes: Vec<usize>,
}

/// Splits each layer into rows whose boxes take no more than `max_width`
/// (a box wider than that gets a row of its own): as few rows as that
/// allows, as evenly filled as possible. Only the first `boxes` nodes are
/// boxes; the bends of long edges take no room here (they are thin, and
/// counting them would wrap layers that many edges merely pass).
pub(super) fn wrap(
    layers: &[Vec<usize>],
    widths: &[f64],
    boxes: usize,
    gap: f64,
    max_width: f64,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (layer, nodes) in layers.iter().enumerate() {
        if nodes.is_empty() {
            continue;
        }
        let sizes: Vec<f64> = nodes
            .iter()
            .map(|&v| if v < boxes { widths[v] } else { 0.0 })
            .collect();
        let count = greedy(&sizes, gap, max_width).len();
        // The narrowest limit that still needs no more rows.
        let widest = sizes.iter().copied().fold(0.0, f64::max);
        let (mut low, mut high) = (widest, max_width.max(widest));
        for _ in 0..24 {
            let mid = (low + high) / 2.0;
            if greedy(&sizes, gap, mid).len() <= count {
                high = mid;
            } else {
                low = mid;
            }
        }
        for range in greedy(&sizes, gap, high) {
            rows.push(Row {
                layer,
                nodes: nodes[range].to_vec(),
            });
        }
    }
    rows
}

/// Fills rows left to right up to `limit` (items of size 0 take no room,
/// gaps are between items that do); the index ranges of the rows.
fn greedy(sizes: &[f64], gap: f64, limit: f64) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut filled = 0.0;
    for (at, &size) in sizes.iter().enumerate() {
        if size <= 0.0 {
            continue;
        }
        let needed = if filled > 0.0 { gap + size } else { size };
        if filled > 0.0 && filled + needed > limit {
            ranges.push(start..at);
            start = at;
            filled = size;
        } else {
            filled += needed;
        }
    }
    ranges.push(start..sizes.len());
    ranges
}

/// What the x placement needs to know.
#[derive(Debug)]
pub(super) struct Spacing<'a> {
    pub widths: &'a [f64],
    /// Weight of each node: long-edge bends weigh more, to keep long edges
    /// straight.
    pub weights: &'a [f64],
    /// Nodes below this index are boxes, the others bends of long edges.
    pub boxes: usize,
    /// The least distance between two boxes, and beside a bend.
    pub box_gap: f64,
    pub bend_gap: f64,
    /// Every box stays between -band and +band (so that rows shifted
    /// towards their neighbours do not make the picture wider than its
    /// widest row).
    pub band: f64,
}

impl Spacing<'_> {
    fn gap(&self, a: usize, b: usize) -> f64 {
        if a < self.boxes && b < self.boxes {
            self.box_gap
        } else {
            self.bend_gap
        }
    }
}

/// The x of every node's centre.
pub(super) fn x_positions(
    rows: &[Row],
    spacing: &Spacing<'_>,
    up: &[Vec<usize>],
    down: &[Vec<usize>],
) -> Vec<f64> {
    let mut x = vec![0.0; spacing.widths.len()];
    for row in rows {
        let desired = vec![0.0; row.nodes.len()];
        settle(row, &desired, spacing, &mut x);
    }
    for sweep in 0..SWEEPS {
        let downwards = sweep % 2 == 0;
        let order: Vec<&Row> = if downwards {
            rows.iter().collect()
        } else {
            rows.iter().rev().collect()
        };
        for row in order {
            let desired: Vec<f64> = row
                .nodes
                .iter()
                .map(|&v| {
                    let side = if downwards { &up[v] } else { &down[v] };
                    let both: Vec<usize>;
                    let neighbours = if sweep + 1 == SWEEPS {
                        both = up[v].iter().chain(&down[v]).copied().collect();
                        &both
                    } else {
                        side
                    };
                    if neighbours.is_empty() {
                        x[v]
                    } else {
                        neighbours.iter().map(|&w| x[w]).sum::<f64>() / neighbours.len() as f64
                    }
                })
                .collect();
            settle(row, &desired, spacing, &mut x);
        }
    }
    x
}

/// Places `row` as close to `desired` as its order and gaps allow.
fn settle(row: &Row, desired: &[f64], spacing: &Spacing<'_>, x: &mut [f64]) {
    // With o_i the least distance from the first centre to the i-th, the
    // positions are y_i + o_i for non-decreasing y_i: fit y to desired - o.
    let mut offsets = Vec::with_capacity(row.nodes.len());
    let mut offset = 0.0;
    for (at, &v) in row.nodes.iter().enumerate() {
        if at > 0 {
            let left = row.nodes[at - 1];
            offset += (spacing.widths[left] + spacing.widths[v]) / 2.0 + spacing.gap(left, v);
        }
        offsets.push(offset);
    }
    let targets: Vec<f64> = desired.iter().zip(&offsets).map(|(d, o)| d - o).collect();
    let weights: Vec<f64> = row.nodes.iter().map(|&v| spacing.weights[v]).collect();
    let fitted = isotonic(&targets, &weights);
    // Keep the row inside the band: its first box's left side at or right
    // of -band, its last box's right side at or left of +band. Clipping the
    // fit is the best fit under these bounds; a row wider than the band is
    // centred.
    let (Some(&first), Some(&last), Some(&span)) =
        (row.nodes.first(), row.nodes.last(), offsets.last())
    else {
        return;
    };
    let low = -spacing.band + spacing.widths[first] / 2.0;
    let high = spacing.band - spacing.widths[last] / 2.0 - span;
    for ((&v, y), o) in row.nodes.iter().zip(fitted).zip(offsets) {
        let y = if low > high {
            -(span) / 2.0
        } else {
            y.clamp(low, high)
        };
        x[v] = y + o;
    }
}

/// The natural width of `row`: its boxes and the least gaps between them.
pub(super) fn row_width(row: &Row, spacing: &Spacing<'_>) -> f64 {
    let boxes: f64 = row.nodes.iter().map(|&v| spacing.widths[v]).sum();
    let gaps: f64 = row
        .nodes
        .windows(2)
        .map(|pair| spacing.gap(pair[0], pair[1]))
        .sum();
    boxes + gaps
}

/// The non-decreasing sequence closest to `targets` in weighted least
/// squares (pool adjacent violators).
fn isotonic(targets: &[f64], weights: &[f64]) -> Vec<f64> {
    // Blocks of (weighted mean, total weight, length).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(targets.len());
    for (&t, &w) in targets.iter().zip(weights) {
        let mut block = (t, w, 1usize);
        while let Some(&(mean, weight, len)) = blocks.last() {
            if mean <= block.0 {
                break;
            }
            blocks.pop();
            let total = weight + block.1;
            block = (
                (mean * weight + block.0 * block.1) / total,
                total,
                len + block.2,
            );
        }
        blocks.push(block);
    }
    blocks
        .into_iter()
        .flat_map(|(mean, _, len)| std::iter::repeat_n(mean, len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_regression_pools_violators() {
        assert_eq!(isotonic(&[1.0, 3.0, 2.0], &[1.0; 3]), vec![1.0, 2.5, 2.5]);
        assert_eq!(isotonic(&[3.0, 2.0, 1.0], &[1.0; 3]), vec![2.0, 2.0, 2.0]);
        assert_eq!(isotonic(&[0.0, 1.0], &[1.0; 2]), vec![0.0, 1.0]);
    }

    #[test]
    fn wide_layers_wrap_into_rows_of_similar_width() {
        let widths = vec![100.0; 25];
        let layers = vec![(0..25).collect::<Vec<_>>()];
        let rows = wrap(&layers, &widths, 25, 20.0, 1000.0);
        // 8 fit in 1000 (940), so 4 rows are needed; they are filled evenly.
        let lengths: Vec<usize> = rows.iter().map(|r| r.nodes.len()).collect();
        assert_eq!(lengths, vec![7, 7, 7, 4]);
        let flat: Vec<usize> = rows.iter().flat_map(|r| r.nodes.clone()).collect();
        assert_eq!(flat, (0..25).collect::<Vec<_>>());
    }

    #[test]
    fn bends_of_long_edges_do_not_wrap_a_layer() {
        // Five boxes and forty bends: one row.
        let widths: Vec<f64> = (0..45).map(|v| if v < 5 { 150.0 } else { 4.0 }).collect();
        let layers = vec![(0..45).collect::<Vec<_>>()];
        assert_eq!(wrap(&layers, &widths, 5, 28.0, 1000.0).len(), 1);
    }

    #[test]
    fn a_row_keeps_its_order_and_gaps() {
        let widths = vec![100.0, 100.0, 100.0];
        let spacing = Spacing {
            widths: &widths,
            weights: &[1.0; 3],
            boxes: 3,
            box_gap: 20.0,
            bend_gap: 5.0,
            band: 1000.0,
        };
        let row = Row {
            layer: 0,
            nodes: vec![0, 1, 2],
        };
        let mut x = vec![0.0; 3];
        // All want the same spot: they spread around it.
        settle(&row, &[50.0, 50.0, 50.0], &spacing, &mut x);
        assert_eq!(x, vec![-70.0, 50.0, 170.0]);
        // Pulled far right, the row stops at the band.
        let narrow = Spacing {
            band: 200.0,
            ..spacing
        };
        settle(&row, &[900.0, 900.0, 900.0], &narrow, &mut x);
        assert_eq!(x, vec![-90.0, 30.0, 150.0]);
    }
}
