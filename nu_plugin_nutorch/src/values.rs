//! Nushell values ⇄ plain tensor data (flat buffer + shape), in bulk.

use nu_protocol::{LabeledError, Signals, Span, Spanned, Value};
use nutorch_core::{Buffer, Data};

/// `torch.tensor` refuses lists nested deeper than this ("too many dimensions").
pub const MAX_NESTING: usize = 128;
/// The most values a range may give (a longer one is almost certainly a mistake).
const MAX_RANGE_VALUES: usize = 1 << 28;

/// Data from what `nutorch fromvalue` accepts: a number, (nested) lists, a range, or a table
/// (list of records, columns in record order or as `columns` orders them).
pub fn data_from_input(value: &Value, columns: Option<&[Spanned<String>]>) -> Result<Data, LabeledError> {
    match value {
        Value::List { vals, .. } if columns.is_some() || matches!(vals.first(), Some(Value::Record { .. })) => {
            table_data(value, vals, columns)
        }
        Value::Record { .. } => Err(LabeledError::new("Invalid value")
            .with_label("a record is one row: give a table (a list of records), e.g. [$record]", value.span())),
        other if columns.is_some() => Err(LabeledError::new("Invalid argument").with_label(
            format!("--columns needs a table (a list of records), found {}", other.get_type_shallow()),
            other.span(),
        )),
        Value::Range { val, .. } => range_data(val, value.span()),
        other => data_from_value(other),
    }
}

fn range_data(range: &nu_protocol::Range, span: Span) -> Result<Data, LabeledError> {
    if !range.is_bounded() {
        return Err(LabeledError::new("Invalid value").with_label("an unbounded range has no end: give one", span));
    }
    let mut leaves = Vec::new();
    for v in (*range).into_range_iter(span, Signals::empty()) {
        if leaves.len() >= MAX_RANGE_VALUES {
            return Err(LabeledError::new("Invalid value")
                .with_label(format!("the range gives more than {MAX_RANGE_VALUES} values"), span));
        }
        match v {
            Value::Int { val, .. } => leaves.push(Leaf::Int(val)),
            Value::Float { val, .. } => leaves.push(Leaf::Float(val)),
            other => {
                return Err(LabeledError::new("Invalid value").with_label(format!("{}", other.get_type_shallow()), span))
            }
        }
    }
    Ok(Data { shape: vec![leaves.len() as i64], values: buffer_from_leaves(leaves) })
}

/// A table → a 2-D tensor, one row per record.
fn table_data(table: &Value, rows: &[Value], columns: Option<&[Spanned<String>]>) -> Result<Data, LabeledError> {
    let invalid = |msg: String, span: Span| LabeledError::new("Invalid value").with_label(msg, span);
    let names: Vec<String> = match (columns, rows.first()) {
        (Some(cols), _) => {
            if cols.is_empty() {
                return Err(LabeledError::new("Invalid argument").with_label("--columns is empty", table.span()));
            }
            for (i, c) in cols.iter().enumerate() {
                if cols[..i].iter().any(|p| p.item == c.item) {
                    return Err(LabeledError::new("Invalid argument")
                        .with_label(format!("column '{}' is named twice", c.item), c.span));
                }
            }
            cols.iter().map(|c| c.item.clone()).collect()
        }
        (None, Some(Value::Record { val, .. })) => val.columns().cloned().collect(),
        (None, _) => Vec::new(),
    };
    let mut leaves = Vec::with_capacity(rows.len().saturating_mul(names.len()));
    for (i, row) in rows.iter().enumerate() {
        let Value::Record { val: record, .. } = row else {
            return Err(invalid(
                format!("row {i} is a {}, not a record (a table is a list of records)", row.get_type_shallow()),
                row.span(),
            ));
        };
        if columns.is_none() {
            if let Some(extra) = record.columns().find(|c| !names.contains(c)) {
                return Err(invalid(
                    format!("row {i} has a column '{extra}' that row 0 lacks; choose the columns with --columns"),
                    row.span(),
                ));
            }
        }
        for name in &names {
            let Some(cell) = record.get(name) else {
                return Err(invalid(format!("row {i} has no column '{name}'"), row.span()));
            };
            leaves.push(match cell {
                Value::Int { val, .. } => Leaf::Int(*val),
                Value::Float { val, .. } => Leaf::Float(*val),
                Value::Bool { val, .. } => Leaf::Bool(*val),
                other => {
                    let shown = match other {
                        Value::String { val, .. } => format!(" ({val:?})"),
                        Value::Nothing { .. } => " (an empty cell)".to_string(),
                        _ => String::new(),
                    };
                    return Err(invalid(
                        format!(
                            "column '{name}', row {i}: expected a number or bool, found {}{shown}",
                            other.get_type_shallow()
                        ),
                        other.span(),
                    ));
                }
            });
        }
    }
    Ok(Data { shape: vec![rows.len() as i64, names.len() as i64], values: buffer_from_leaves(leaves) })
}

/// One leaf of a nested list, before the buffer type is decided.
#[derive(Clone, Copy)]
enum Leaf {
    Bool(bool),
    Int(i64),
    Float(f64),
}

/// Flattens a scalar or (nested) list into data, checking that it is rectangular.
/// The buffer type follows `torch.tensor`: any float → floats; else any int → ints (bools
/// become 0/1); all bools → bools. Errors name the position of the offending element.
pub fn data_from_value(value: &Value) -> Result<Data, LabeledError> {
    let mut shape = Vec::new();
    // The shape is fixed by the first element at each depth; every sibling must match it.
    let mut probe = value;
    while let Value::List { vals, .. } = probe {
        if shape.len() == MAX_NESTING {
            return Err(LabeledError::new("Invalid value").with_label(
                format!("too many dimensions: lists nested more than {MAX_NESTING} deep (torch.tensor's limit)"),
                value.span(),
            ));
        }
        shape.push(vals.len() as i64);
        match vals.first() {
            Some(first) => probe = first,
            None => break,
        }
    }
    let capacity = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d as usize)).unwrap_or(0).min(1 << 24);
    let mut leaves = Vec::with_capacity(capacity.max(1));
    collect(value, &shape, 0, &mut Vec::new(), &mut leaves)?;
    Ok(Data { shape, values: buffer_from_leaves(leaves) })
}

fn collect(
    value: &Value,
    shape: &[i64],
    depth: usize,
    position: &mut Vec<usize>,
    out: &mut Vec<Leaf>,
) -> Result<(), LabeledError> {
    // The position (`[1][0]`) is written out only for an error: formatting it for every
    // element was most of the time of a large `fromvalue`.
    let at = |p: &[usize]| {
        if p.is_empty() {
            String::new()
        } else {
            format!(" at {}", p.iter().map(|i| format!("[{i}]")).collect::<String>())
        }
    };
    match value {
        Value::List { vals, internal_span, .. } => {
            let Some(&expected) = shape.get(depth) else {
                return Err(ragged(
                    format!(
                        "a list{} where a number was expected (the first element fixed the shape {shape:?})",
                        at(position)
                    ),
                    *internal_span,
                ));
            };
            if vals.len() as i64 != expected {
                return Err(ragged(
                    format!(
                        "ragged list{}: {} elements where {expected} were expected (shape {shape:?})",
                        at(position),
                        vals.len()
                    ),
                    *internal_span,
                ));
            }
            for (i, v) in vals.iter().enumerate() {
                position.push(i);
                collect(v, shape, depth + 1, position, out)?;
                position.pop();
            }
            Ok(())
        }
        leaf if depth < shape.len() => Err(ragged(
            format!(
                "a {} {} where a list of {} was expected (shape {shape:?})",
                leaf.get_type_shallow(),
                at(position).trim_start(),
                shape[depth]
            ),
            leaf.span(),
        )),
        Value::Int { val, .. } => {
            out.push(Leaf::Int(*val));
            Ok(())
        }
        Value::Float { val, .. } => {
            out.push(Leaf::Float(*val));
            Ok(())
        }
        Value::Bool { val, .. } => {
            out.push(Leaf::Bool(*val));
            Ok(())
        }
        other => Err(LabeledError::new("Invalid value").with_label(
            format!("expected a number or bool{}, found {}", at(position), other.get_type_shallow()),
            other.span(),
        )),
    }
}

fn ragged(message: String, span: Span) -> LabeledError {
    LabeledError::new("Ragged list").with_label(message, span)
}

fn buffer_from_leaves(leaves: Vec<Leaf>) -> Buffer {
    let any_float = leaves.iter().any(|l| matches!(l, Leaf::Float(_)));
    let all_bool = !leaves.is_empty() && leaves.iter().all(|l| matches!(l, Leaf::Bool(_)));
    if leaves.is_empty() {
        Buffer::Float(Vec::new())
    } else if all_bool {
        Buffer::Bool(leaves.iter().map(|l| matches!(l, Leaf::Bool(true))).collect())
    } else if any_float {
        Buffer::Float(
            leaves
                .iter()
                .map(|l| match *l {
                    Leaf::Float(f) => f,
                    Leaf::Int(i) => i as f64,
                    Leaf::Bool(b) => b as i64 as f64,
                })
                .collect(),
        )
    } else {
        Buffer::Int(
            leaves
                .iter()
                .map(|l| match *l {
                    Leaf::Int(i) => i,
                    Leaf::Bool(b) => b as i64,
                    Leaf::Float(f) => f as i64,
                })
                .collect(),
        )
    }
}

/// Builds nested lists (a scalar for a 0-d tensor) from data.
pub fn value_from_data(data: &Data, span: Span) -> Value {
    let leaf = |i: usize| match &data.values {
        Buffer::Bool(v) => Value::bool(v[i], span),
        Buffer::Int(v) => Value::int(v[i], span),
        Buffer::Float(v) => Value::float(v[i], span),
    };
    fn build(shape: &[i64], offset: usize, leaf: &dyn Fn(usize) -> Value, span: Span) -> Value {
        match shape.split_first() {
            None => leaf(offset),
            Some((&n, rest)) => {
                let stride: usize = rest.iter().map(|&d| d as usize).product();
                Value::list((0..n as usize).map(|i| build(rest, offset + i * stride, leaf, span)).collect(), span)
            }
        }
    }
    build(&data.shape, 0, &leaf, span)
}

/// A value from JSON text (examples' expected results): ints stay ints, numbers with a point
/// or exponent are floats, objects become records; the strings "nan", "inf" and "-inf" stand
/// for those floats, which JSON cannot write.
pub fn json_to_value(text: &str, span: Span) -> Result<Value, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("bad JSON {text:?}: {e}"))?;
    Ok(from_json(&json, span))
}

pub fn from_json(json: &serde_json::Value, span: Span) -> Value {
    use serde_json::Value as J;
    match json {
        J::Null => Value::nothing(span),
        J::Bool(b) => Value::bool(*b, span),
        J::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::int(i, span),
            _ => Value::float(n.as_f64().unwrap_or(f64::NAN), span),
        },
        J::String(s) => match s.as_str() {
            "nan" => Value::float(f64::NAN, span),
            "inf" => Value::float(f64::INFINITY, span),
            "-inf" => Value::float(f64::NEG_INFINITY, span),
            other => Value::string(other, span),
        },
        J::Array(items) => Value::list(items.iter().map(|i| from_json(i, span)).collect(), span),
        J::Object(map) => Value::record(map.iter().map(|(k, v)| (k.clone(), from_json(v, span))).collect(), span),
    }
}

/// A plain Nushell value (records, lists, numbers, strings, bools, nothing) as JSON, for
/// descriptions that the libraries read with serde (architectures, optimizers). Anything else
/// (a tensor, a closure, …) is an error naming its type.
pub fn to_json(value: &Value) -> Result<serde_json::Value, LabeledError> {
    use serde_json::Value as J;
    Ok(match value {
        Value::Nothing { .. } => J::Null,
        Value::Bool { val, .. } => J::Bool(*val),
        Value::Int { val, .. } => J::from(*val),
        Value::Float { val, .. } => serde_json::Number::from_f64(*val).map(J::Number).ok_or_else(|| {
            LabeledError::new("Invalid value")
                .with_label(format!("{val} cannot be part of a description"), value.span())
        })?,
        Value::String { val, .. } => J::String(val.clone()),
        Value::List { vals, .. } => J::Array(vals.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Record { val, .. } => {
            J::Object(val.iter().map(|(k, v)| Ok((k.clone(), to_json(v)?))).collect::<Result<_, LabeledError>>()?)
        }
        other => {
            return Err(LabeledError::new("Invalid value")
                .with_label(format!("expected plain data here, found {}", other.get_type_shallow()), other.span()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Span {
        Span::test_data()
    }

    fn list(vals: Vec<Value>) -> Value {
        Value::list(vals, s())
    }

    #[test]
    fn nested_ints_flatten_with_shape() {
        let v = list(vec![
            list(vec![Value::int(1, s()), Value::int(2, s())]),
            list(vec![Value::int(3, s()), Value::int(i64::MAX, s())]),
        ]);
        let data = data_from_value(&v).unwrap();
        assert_eq!(data.shape, vec![2, 2]);
        assert_eq!(data.values, Buffer::Int(vec![1, 2, 3, i64::MAX]));
        assert_eq!(value_from_data(&data, s()), v);
    }

    #[test]
    fn a_float_anywhere_makes_floats() {
        let v = list(vec![Value::int(1, s()), Value::float(2.5, s())]);
        assert_eq!(data_from_value(&v).unwrap().values, Buffer::Float(vec![1.0, 2.5]));
    }

    #[test]
    fn scalars_are_zero_dim() {
        let data = data_from_value(&Value::float(1.5, s())).unwrap();
        assert!(data.shape.is_empty());
        assert_eq!(value_from_data(&data, s()), Value::float(1.5, s()));
    }

    #[test]
    fn empty_list_is_float_shape_zero() {
        let data = data_from_value(&list(vec![])).unwrap();
        assert_eq!(data.shape, vec![0]);
        assert_eq!(data.values, Buffer::Float(vec![]));
    }

    #[test]
    fn ragged_lists_name_the_position() {
        let v = list(vec![list(vec![Value::int(1, s()), Value::int(2, s())]), list(vec![Value::int(3, s())])]);
        let err = data_from_value(&v).unwrap_err();
        assert!(err.labels[0].text.contains("at [1]"), "{}", err.labels[0].text);
        let v = list(vec![list(vec![Value::int(1, s())]), Value::int(3, s())]);
        let err = data_from_value(&v).unwrap_err();
        assert!(err.labels[0].text.contains("at [1]"), "{}", err.labels[0].text);
    }

    fn row(cells: &[(&str, Value)]) -> Value {
        Value::record(cells.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(), s())
    }

    #[test]
    fn tables_are_rows_by_columns() {
        let t = list(vec![
            row(&[("x", Value::int(1, s())), ("y", Value::float(2.5, s()))]),
            row(&[("x", Value::int(3, s())), ("y", Value::int(4, s()))]),
        ]);
        let data = data_from_input(&t, None).unwrap();
        assert_eq!(data.shape, vec![2, 2]);
        assert_eq!(data.values, Buffer::Float(vec![1.0, 2.5, 3.0, 4.0]));
        let cols = [Spanned { item: "y".to_string(), span: s() }];
        let data = data_from_input(&t, Some(&cols)).unwrap();
        assert_eq!(data.shape, vec![2, 1]);
        assert_eq!(data.values, Buffer::Float(vec![2.5, 4.0]));
        let bad = list(vec![row(&[("x", Value::int(1, s()))]), row(&[("x", Value::string("a", s()))])]);
        let err = data_from_input(&bad, None).unwrap_err();
        assert!(err.labels[0].text.contains("column 'x', row 1"), "{}", err.labels[0].text);
        let missing = list(vec![row(&[("x", Value::int(1, s()))]), row(&[("z", Value::int(1, s()))])]);
        let err = data_from_input(&missing, Some(&[Spanned { item: "x".into(), span: s() }])).unwrap_err();
        assert!(err.labels[0].text.contains("row 1 has no column 'x'"), "{}", err.labels[0].text);
    }

    #[test]
    fn ranges_expand_and_deep_lists_are_refused() {
        let r = nu_protocol::Range::new(
            Value::int(1, s()),
            Value::nothing(s()),
            Value::int(4, s()),
            nu_protocol::ast::RangeInclusion::RightExclusive,
            s(),
        )
        .unwrap();
        let data = data_from_input(&Value::range(r, s()), None).unwrap();
        assert_eq!(data.values, Buffer::Int(vec![1, 2, 3]));
        let mut deep = Value::int(1, s());
        for _ in 0..=MAX_NESTING {
            deep = list(vec![deep]);
        }
        let err = data_from_input(&deep, None).unwrap_err();
        assert!(err.labels[0].text.contains("too many dimensions"), "{}", err.labels[0].text);
    }

    #[test]
    fn non_numbers_name_the_position() {
        let v = list(vec![Value::int(1, s()), Value::string("x", s())]);
        let err = data_from_value(&v).unwrap_err();
        assert!(
            err.labels[0].text.contains("at [1]") && err.labels[0].text.contains("string"),
            "{}",
            err.labels[0].text
        );
    }
}
