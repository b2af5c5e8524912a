//! The op catalog: PyTorch ops described as data.
//!
//! Each [`OpSpec`] names an op as torch spells it, lists its arguments in PyTorch's order
//! (with types and defaults), says what it returns, names its PyTorch equivalent, carries a
//! one-line summary and an example with its expected result, and holds the function that runs
//! it through tch's fallible `f_` functions. A front end (the Nushell plugin) builds its
//! commands, argument parsing and help from these tables. Nothing here depends on Nushell,
//! but the tables speak its front end: examples are `nutorch ...` command lines (the
//! commands' help shows and tests them), and notes and some argument errors name flags as
//! the commands spell them (`--min`).
//!
//! The tables are grouped by category, one file each; [`all`] lists every op.

// Checks are written `!(x > 0.0)` on purpose: NaN must fail them.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod args;
mod autograd;
mod binary;
mod compare;
mod creation;
mod dtype_ops;
mod fft;
mod indexing;
mod inplace;
mod linalg;
mod loss;
mod masked;
mod mha;
mod nn;
mod pointwise;
mod reduction;
mod shape;
mod sorting;
pub mod sparse;
mod spec;
mod special;
pub mod util;
mod windows;

pub use args::{Args, Operand, Val};
pub use spec::*;

use std::collections::HashMap;
use std::sync::OnceLock;

/// Every op of the catalog, in category order.
pub fn all() -> &'static [&'static OpSpec] {
    static ALL: OnceLock<Vec<&'static OpSpec>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            creation::OPS,
            windows::OPS,
            pointwise::OPS,
            pointwise::ACTIVATIONS,
            special::OPS,
            binary::OPS,
            compare::OPS,
            reduction::OPS,
            shape::OPS,
            indexing::OPS,
            sorting::OPS,
            linalg::OPS,
            fft::OPS,
            sparse::OPS,
            nn::OPS,
            loss::OPS,
            masked::OPS,
            dtype_ops::OPS,
            autograd::OPS,
            inplace::OPS,
        ]
        .iter()
        .flat_map(|ops| ops.iter())
        .collect()
    })
}

/// The op of that name.
pub fn find(name: &str) -> Option<&'static OpSpec> {
    static BY_NAME: OnceLock<HashMap<&'static str, &'static OpSpec>> = OnceLock::new();
    BY_NAME.get_or_init(|| all().iter().map(|op| (op.name, *op)).collect()).get(name).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_specs_consistent() {
        let mut seen = HashSet::new();
        for op in all() {
            assert!(seen.insert(op.name), "duplicate op {}", op.name);
            assert!(!op.summary.is_empty() && !op.torch.is_empty(), "{}", op.name);
            assert!(
                op.example.source.contains(&format!("nutorch {}", op.name)),
                "{}: example does not use the op",
                op.name
            );
            let mut names = HashSet::new();
            let mut optional_positional = false;
            for a in op.args {
                assert!(names.insert(a.name), "{}: duplicate argument {}", op.name, a.name);
                if a.positional {
                    // A required positional after an optional one could not be told apart.
                    assert!(
                        !(optional_positional && a.is_required()),
                        "{}: {} required after optional",
                        op.name,
                        a.name
                    );
                    optional_positional |= !a.is_required();
                }
                assert!(a.positional || !a.is_required(), "{}: required flag {}", op.name, a.name);
            }
            // A list argument other than the last positional must be given as one list.
            let positionals: Vec<_> = op.positionals().collect();
            for a in &positionals[..positionals.len().saturating_sub(1)] {
                assert!(
                    a.ty != Ty::Tensors || a.name == "outputs" || a.name == "indices",
                    "{}: tensors {} before the last positional",
                    op.name,
                    a.name
                );
            }
        }
        assert!(all().len() >= 300, "{} ops", all().len());
    }
}
