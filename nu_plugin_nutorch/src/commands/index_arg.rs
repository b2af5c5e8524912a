//! A Python index (nutorch_core::indexing::Index) from Nushell values, for `getitem` and
//! `setitem`: an int, a range (a slice), null (None), a bool, a tensor, a list, or a string
//! in PyTorch's own text form ('1:3, ::2', '...', 'None'; a bare `..` is `:`). Several
//! arguments are one tuple, as `x[a, b]`; a string holding several entries counts as those
//! entries.

use crate::args;
use crate::errors::invalid;
use crate::plugin::NutorchPlugin;
use nu_protocol::{LabeledError, Range, Span, Value};
use nutorch_core::indexing::{self, Index, Item, SeqKind, Slice};
use std::ops::Bound;

/// The index of several arguments, `x[a, b, ...]`; one argument is that index itself
/// (`x[[0, 2]]` differs from `x[0, 2]`).
pub fn several(plugin: &NutorchPlugin, values: &[Value]) -> Result<Index, LabeledError> {
    if let [value] = values {
        return one(plugin, value);
    }
    let mut entries = Vec::new();
    push_entries(plugin, values, &mut entries)?;
    Ok(Index::Seq(SeqKind::Tuple, entries))
}

/// The index of one argument, as Python reads `x[value]`.
pub fn one(plugin: &NutorchPlugin, value: &Value) -> Result<Index, LabeledError> {
    entry(plugin, value)
}

/// The entries of `values`, a string's several entries ('1:3, ::2') spliced in.
fn push_entries(plugin: &NutorchPlugin, values: &[Value], out: &mut Vec<Index>) -> Result<(), LabeledError> {
    for value in values {
        match entry(plugin, value)? {
            Index::Seq(SeqKind::Tuple, inner) if matches!(value, Value::String { .. }) => out.extend(inner),
            other => out.push(other),
        }
    }
    Ok(())
}

fn entry(plugin: &NutorchPlugin, value: &Value) -> Result<Index, LabeledError> {
    let span = value.span();
    Ok(match value {
        Value::Int { val, .. } => Index::Item(Item::Int(*val)),
        Value::Bool { val, .. } => Index::Item(Item::Bool(*val)),
        Value::Nothing { .. } => Index::Item(Item::None),
        // A bare `..` is the whole dimension, as `0..` (Python's `:`).
        Value::String { val, .. } if val == ".." => Index::Item(Item::Slice(Slice::default())),
        Value::String { val, .. } => indexing::parse(val).map_err(|e| invalid(e.to_string(), span))?,
        Value::Range { val, .. } => Index::Item(Item::Slice(range_slice(val, span)?)),
        Value::List { vals, .. } => {
            let mut entries = Vec::new();
            push_entries(plugin, vals, &mut entries)?;
            Index::Seq(SeqKind::List, entries)
        }
        Value::Custom { .. } => Index::Item(Item::Tensor(args::tensor(plugin, value)?.item)),
        other => {
            return Err(invalid(
                format!(
                    "an index entry is an int, a range, null, a bool, a tensor, a list or PyTorch's text ('1:3, ::2'), got {}",
                    other.get_type()
                ),
                span,
            ))
        }
    })
}

/// A Nushell range as a Python slice. Its bounds are positions, as in Nushell's `slice`
/// (`1..3` is 1:4, `1..<3` 1:3, `(-3)..-2` -3:-1, `1..-1` 1:, `(-2)..` -2:); a step written
/// with the second value (`0..2..<9`, 0:9:2) must be positive, as a PyTorch slice's. The -1
/// step Nushell infers when the end is before the start (`1..-1`) counts as 1.
fn range_slice(range: &Range, span: Span) -> Result<Slice, LabeledError> {
    let Range::IntRange(r) = range else {
        return Err(invalid("a slice's bounds are ints: this range has floats", span));
    };
    let step = match r.step() {
        -1 => 1,
        s if s > 0 => s,
        s => {
            return Err(invalid(
                format!("a slice's step must be positive, as in PyTorch (this range steps by {s})"),
                span,
            ))
        }
    };
    let stop = match r.end() {
        Bound::Included(end) => end.checked_add(1).filter(|&e| e != 0),
        Bound::Excluded(end) => Some(end),
        Bound::Unbounded => None,
    };
    Ok(Slice { start: Some(r.start()).filter(|&s| s != 0), stop, step: Some(step).filter(|&s| s != 1) })
}
