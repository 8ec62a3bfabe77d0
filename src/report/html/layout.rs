//! A layered drawing of a directed graph, left to right (callers on the
//! left, the roles they reach on the right), with nodes grouped in bands:
//! one horizontal band per account, so that an account is one rectangle.
//!
//! The steps are the classic ones (Sugiyama): break cycles by reversing the
//! edges a depth-first search finds going back, give each node the layer of
//! its longest path from a source, then order each layer's nodes inside
//! their band by the barycentre of their neighbours, sweeping both ways a
//! few times. Everything is sorted with total orders: the same graph gives
//! the same picture.

/// Horizontal distance between two layers.
pub const COLUMN: f64 = 300.0;
/// Vertical distance between two rows.
pub const ROW: f64 = 40.0;
/// Room above a band's first row for its title.
pub const BAND_TITLE: f64 = 28.0;
/// Space between two bands.
pub const BAND_GAP: f64 = 16.0;
/// Margin around the drawing.
pub const MARGIN: f64 = 20.0;

/// Sweeps of barycentre ordering (each one down and up).
const SWEEPS: usize = 4;

/// What to lay out: `band[i]` is node i's band (bands are drawn in their
/// number's order), edges are (from, to) node indices. Nodes start in
/// their index order, which breaks ties.
pub struct Input<'a> {
    pub band: &'a [usize],
    pub edges: &'a [(usize, usize)],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Top-left corner of each node's box.
    pub pos: Vec<(f64, f64)>,
    /// Each band's top and height; bands without nodes have height 0.
    pub bands: Vec<(f64, f64)>,
    pub layer: Vec<usize>,
    pub width: f64,
    pub height: f64,
}

/// The edges that a depth-first search from each node in turn finds
/// pointing back to a node on its stack: reversing them leaves no cycle.
fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(a, _)) in edges.iter().enumerate() {
        out[a].push(i);
    }
    // 0 unvisited, 1 on the stack, 2 done
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut pos)) = stack.last_mut() {
            if let Some(&ei) = out[v].get(*pos) {
                *pos += 1;
                let w = edges[ei].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[ei] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

pub fn layout(input: &Input) -> Layout {
    let n = input.band.len();
    let back = back_edges(n, input.edges);
    // The acyclic edges, self-loops left out.
    let dag: Vec<(usize, usize)> = input
        .edges
        .iter()
        .zip(&back)
        .filter(|((a, b), _)| a != b)
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for &(a, b) in &dag {
        succ[a].push(b);
        pred[b].push(a);
        indegree[b] += 1;
    }
    // Longest path from a source, in topological order (Kahn).
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).rev().collect();
    while let Some(v) = ready.pop() {
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let bands = input.band.iter().max().map_or(0, |m| m + 1);

    // cells[band][layer]: the nodes of that band and layer, in order.
    let mut cells: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); layers]; bands];
    for v in 0..n {
        cells[input.band[v]][layer[v]].push(v);
    }
    // A node's rank: its row across all bands of its layer.
    let mut rank = vec![0f64; n];
    let set_ranks = |cells: &[Vec<Vec<usize>>], rank: &mut [f64]| {
        for l in 0..layers {
            let mut r = 0usize;
            for band in cells {
                for &v in &band[l] {
                    #[allow(clippy::cast_precision_loss)]
                    {
                        rank[v] = r as f64;
                    }
                    r += 1;
                }
            }
        }
    };
    set_ranks(&cells, &mut rank);
    for sweep in 0..SWEEPS * 2 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> =
            if down { (1..layers).collect() } else { (0..layers.saturating_sub(1)).rev().collect() };
        for l in order {
            for band in &mut cells {
                let cell = &mut band[l];
                let key: Vec<(f64, usize)> = cell
                    .iter()
                    .map(|&v| {
                        let near = if down { &pred[v] } else { &succ[v] };
                        #[allow(clippy::cast_precision_loss)]
                        let bary = if near.is_empty() {
                            rank[v]
                        } else {
                            near.iter().map(|&w| rank[w]).sum::<f64>() / near.len() as f64
                        };
                        (bary, v)
                    })
                    .collect();
                let mut idx: Vec<usize> = (0..cell.len()).collect();
                idx.sort_by(|&a, &b| {
                    key[a].0.total_cmp(&key[b].0).then(rank[key[a].1].total_cmp(&rank[key[b].1]))
                });
                *cell = idx.into_iter().map(|i| key[i].1).collect();
            }
            set_ranks(&cells, &mut rank);
        }
    }

    // Coordinates: a band is as tall as its fullest layer; a layer's nodes
    // are centred in it.
    let mut pos = vec![(0.0, 0.0); n];
    let mut band_box = vec![(0.0, 0.0); bands];
    let mut top = MARGIN;
    for (b, band) in cells.iter().enumerate() {
        let rows = band.iter().map(Vec::len).max().unwrap_or(0);
        if rows == 0 {
            band_box[b] = (top, 0.0);
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let height = BAND_TITLE + rows as f64 * ROW;
        for (l, cell) in band.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let offset = (rows - cell.len()) as f64 * ROW / 2.0;
            for (i, &v) in cell.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let p = (MARGIN + 10.0 + l as f64 * COLUMN, top + BAND_TITLE + offset + i as f64 * ROW);
                pos[v] = p;
            }
        }
        band_box[b] = (top, height);
        top += height + BAND_GAP;
    }
    #[allow(clippy::cast_precision_loss)]
    let width = 2.0 * MARGIN + 20.0 + (layers.max(1) as f64) * COLUMN;
    Layout { pos, bands: band_box, layer, width, height: top + MARGIN }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_go_left_to_right() {
        let l = layout(&Input { band: &[0, 0, 0], edges: &[(0, 1), (1, 2)] });
        assert_eq!(l.layer, vec![0, 1, 2]);
        assert!(l.pos[0].0 < l.pos[1].0 && l.pos[1].0 < l.pos[2].0);
    }

    #[test]
    fn a_cycle_is_broken() {
        let l = layout(&Input { band: &[0, 0, 0], edges: &[(0, 1), (1, 2), (2, 0), (1, 1)] });
        assert_eq!(l.layer, vec![0, 1, 2]);
    }

    #[test]
    fn longest_path_layering() {
        // 0 → 2 directly and through 1: 2 sits right of 1.
        let l = layout(&Input { band: &[0, 0, 0], edges: &[(0, 2), (0, 1), (1, 2)] });
        assert_eq!(l.layer, vec![0, 1, 2]);
    }

    #[test]
    fn bands_stack_and_do_not_overlap() {
        let l = layout(&Input { band: &[1, 0, 1, 1], edges: &[(1, 0), (1, 2), (1, 3)] });
        let (t0, h0) = l.bands[0];
        let (t1, h1) = l.bands[1];
        assert!(t0 + h0 <= t1);
        for v in 0..4 {
            let (t, h) = l.bands[[1, 0, 1, 1][v]];
            assert!(l.pos[v].1 >= t && l.pos[v].1 < t + h, "node {v} outside its band");
        }
        assert!(l.height >= t1 + h1);
    }

    #[test]
    fn barycentres_untangle_crossings() {
        // Sources 0, 1; targets 2 (from 1) and 3 (from 0): 3 goes above 2.
        let l = layout(&Input { band: &[0, 0, 0, 0], edges: &[(0, 3), (1, 2)] });
        assert!(l.pos[3].1 < l.pos[2].1);
    }

    #[test]
    fn same_input_same_layout() {
        let edges: Vec<(usize, usize)> = (0..50).map(|i| (i % 7, 7 + (i * 13) % 30)).collect();
        let band: Vec<usize> = (0..37).map(|i| i % 3).collect();
        assert_eq!(
            layout(&Input { band: &band, edges: &edges }),
            layout(&Input { band: &band, edges: &edges })
        );
    }
}
