//! Greedy BILUO transition decoding (spaCy `BiluoPushDown` with the NER
//! state features B(0), E(0) if an entity is open, B(0)-1 if open).
//!
//! Validity rules (no preset entities, no sentence boundaries since only the
//! tokenizer runs before NER): `B-x` needs no open entity, >= 2 tokens left
//! and a non-whitespace token; `I-x` needs an open entity of label x and >= 2
//! tokens left; `L-x` needs an open entity of label x; `U-x` needs no open
//! entity and a non-whitespace token (`U-` with the empty label is never
//! valid); `O` needs no open entity. The best-scoring valid action wins
//! (first index on ties).

use super::ModelError;
use super::network::{HIDDEN, NF, NP, Network};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Begin,
    In,
    Last,
    Unit,
    Out,
}

/// The action table.
pub struct Moves {
    actions: Vec<(Move, usize)>, // (move, label index; usize::MAX = none)
    labels: Vec<String>,
    seen: Vec<bool>,
}

impl Moves {
    pub fn new(names: &[String], unseen: &[usize]) -> Result<Moves, ModelError> {
        let mut labels: Vec<String> = Vec::new();
        let mut actions = Vec::new();
        for name in names {
            if name == "O" {
                actions.push((Move::Out, usize::MAX));
                continue;
            }
            let (m, l) = name.split_once('-').ok_or_else(|| ModelError::Move(name.clone()))?;
            let mv = match m {
                "B" => Move::Begin,
                "I" => Move::In,
                "L" => Move::Last,
                "U" => Move::Unit,
                _ => return Err(ModelError::Move(name.clone())),
            };
            if l.is_empty() {
                actions.push((mv, usize::MAX));
                continue;
            }
            let idx = match labels.iter().position(|x| x == l) {
                Some(i) => i,
                None => {
                    labels.push(l.to_string());
                    labels.len() - 1
                }
            };
            actions.push((mv, idx));
        }
        let mut seen = vec![true; actions.len()];
        for &u in unseen {
            if u < seen.len() {
                seen[u] = false;
            }
        }
        Ok(Moves { actions, labels, seen })
    }
    /// Entity labels in action-table order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
    pub fn len(&self) -> usize {
        self.actions.len()
    }
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Hidden vector of a state: bias + the 3 slot vectors (or padding), maxout.
#[inline]
fn state_hidden(net: &Network, pre: &[f32], ids: [Option<usize>; NF], acc: &mut [f32], hidden: &mut [f32]) {
    let o = HIDDEN * NP;
    acc.copy_from_slice(&net.lower_b);
    for (f, id) in ids.iter().enumerate() {
        let v = match id {
            Some(t) => &pre[(t * NF + f) * o..(t * NF + f + 1) * o],
            None => &net.lower_pad[f * o..(f + 1) * o],
        };
        for (a, x) in acc.iter_mut().zip(v) {
            *a += *x;
        }
    }
    for j in 0..HIDDEN {
        let p = &acc[j * NP..(j + 1) * NP];
        hidden[j] = if p[1] > p[0] { p[1] } else { p[0] };
    }
}

/// Decode with precomputed slot vectors `pre` (n x NF x HIDDEN*NP).
///
/// States with no open entity only depend on B(0), so their scores are
/// computed for all positions in one batched product; states inside an
/// entity are scored on the fly.
pub fn decode(net: &Network, moves: &Moves, pre: &[f32], is_space: &[bool]) -> Vec<(usize, usize, String)> {
    let n = is_space.len();
    let o = HIDDEN * NP;
    let cp = net.n_padded;
    let mut acc = vec![0f32; o];
    // closed-state scores for every position
    let mut hid_all = vec![0f32; n * HIDDEN];
    for b in 0..n {
        state_hidden(net, pre, [Some(b), None, None], &mut acc, &mut hid_all[b * HIDDEN..(b + 1) * HIDDEN]);
    }
    let mut closed = vec![0f32; n * cp];
    net.scores(&hid_all, n, &mut closed);
    let mut ents = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (start, label)
    let mut hidden = [0f32; HIDDEN];
    let mut open_scores = vec![0f32; cp];
    let mut b = 0usize;
    while b < n {
        let scores: &[f32] = match open {
            Some((s, _)) => {
                state_hidden(net, pre, [Some(b), Some(s), Some(b - 1)], &mut acc, &mut hidden);
                net.scores(&hidden, 1, &mut open_scores);
                &open_scores
            }
            None => &closed[b * cp..(b + 1) * cp],
        };
        let remaining = n - b;
        let mut best: Option<usize> = None;
        for (c, &(mv, label)) in moves.actions.iter().enumerate() {
            let valid = match mv {
                Move::Begin => label != usize::MAX && open.is_none() && remaining >= 2 && !is_space[b],
                Move::In => label != usize::MAX && remaining >= 2 && matches!(open, Some((_, l)) if l == label),
                Move::Last => label != usize::MAX && matches!(open, Some((_, l)) if l == label),
                Move::Unit => label != usize::MAX && open.is_none() && !is_space[b],
                Move::Out => open.is_none(),
            };
            if !valid || !moves.seen[c] {
                continue;
            }
            match best {
                None => best = Some(c),
                Some(bc) if scores[c] > scores[bc] => best = Some(c),
                _ => {}
            }
        }
        let Some(c) = best else { break };
        let (mv, label) = moves.actions[c];
        match mv {
            Move::Begin => open = Some((b, label)),
            Move::In | Move::Out => {}
            Move::Last => {
                if let Some((s, l)) = open.take() {
                    ents.push((s, b + 1, moves.labels[l].clone()));
                }
            }
            Move::Unit => ents.push((b, b + 1, moves.labels[label].clone())),
        }
        b += 1;
    }
    ents
}
