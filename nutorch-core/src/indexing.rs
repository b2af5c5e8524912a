//! Python-style indexing: `x[1:3, ::2]`, `x[..., None]`, `x[mask]`, `x[idx]` and `x[idx] = v`.
//!
//! An index is a Python index object ([`Index`]): ints, slices, None, Ellipsis, bools, tensors,
//! and lists or tuples of them. [`Index::items`] applies Python's rules for what a list means
//! (PyTorch's `treatSequenceAsTuple`: a list holding a slice, None, Ellipsis, a tensor or another
//! list is a tuple of indices; else it is data for an index tensor). The items then go to
//! at::indexing (csrc/indexing.cpp), the code Python's `__getitem__` and `__setitem__` call,
//! so every other rule is PyTorch's own. [`parse`] reads PyTorch's own text form ('1:3, ::2').
//!
//! Index tensors are checked against the sizes they index first: out of range, PyTorch's CPU
//! kernel raises, but CUDA's fails a device-side assert that breaks every later GPU call.

use crate::error::{shim_error, Error, Result};
use crate::number::Number;
use crate::scalar_ops::CScalar;
use std::ffi::{c_char, c_int};
use tch::{Kind, Tensor};
use torch_sys::C_tensor;

/// A Python slice, `start:stop:step` (each part may be left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Slice {
    pub start: Option<i64>,
    pub stop: Option<i64>,
    pub step: Option<i64>,
}

/// Whether a sequence was written as a list (`[0, 2]`) or a tuple (`0, 2`, `(0, 2)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqKind {
    List,
    Tuple,
}

/// One entry of an index, as at::indexing takes it.
#[derive(Debug)]
pub enum Item {
    Int(i64),
    Slice(Slice),
    None,
    Ellipsis,
    Bool(bool),
    Tensor(Tensor),
}

impl Item {
    /// The same entry, its tensor shared.
    fn shallow(&self) -> Item {
        match self {
            Item::Int(i) => Item::Int(*i),
            Item::Slice(s) => Item::Slice(*s),
            Item::None => Item::None,
            Item::Ellipsis => Item::Ellipsis,
            Item::Bool(b) => Item::Bool(*b),
            Item::Tensor(t) => Item::Tensor(t.shallow_clone()),
        }
    }
}

/// A Python index object: one entry, or a list or tuple of indices.
#[derive(Debug)]
pub enum Index {
    Item(Item),
    Seq(SeqKind, Vec<Index>),
}

/// Python's limit: a list of 32 or more entries is always data, never a tuple.
const TUPLE_LIMIT: usize = 32;

fn index_error(message: impl Into<String>) -> Error {
    Error::Argument(message.into())
}

impl Index {
    /// The items this index stands for, as Python's `__getitem__` reads it: a tuple gives one
    /// item per entry, a list is a tuple when it holds a slice, None, Ellipsis, a tensor or a
    /// sequence (and has fewer than 32 entries), else an index tensor of its values.
    fn items(&self) -> Result<Vec<Item>> {
        match self {
            Index::Seq(SeqKind::Tuple, entries) => entries.iter().map(Index::item).collect(),
            Index::Seq(SeqKind::List, entries)
                if entries.len() < TUPLE_LIMIT && entries.iter().any(Index::makes_tuple) =>
            {
                entries.iter().map(Index::item).collect()
            }
            other => Ok(vec![other.item()?]),
        }
    }

    fn makes_tuple(&self) -> bool {
        matches!(self, Index::Item(Item::Slice(_) | Item::None | Item::Ellipsis | Item::Tensor(_)) | Index::Seq(..))
    }

    /// One entry of a tuple: a sequence there is data for an index tensor (`x[[0, 2], 1]`).
    fn item(&self) -> Result<Item> {
        Ok(match self {
            Index::Item(item) => item.shallow(),
            Index::Seq(_, entries) => Item::Tensor(data_tensor(entries)?),
        })
    }
}

/// An index tensor from nested lists of ints and bools, as PyTorch makes one from a Python
/// list: bool when every value is a bool, else int64 (a bool counting as 0 or 1).
fn data_tensor(entries: &[Index]) -> Result<Tensor> {
    fn walk(
        entries: &[Index],
        depth: usize,
        shape: &mut Vec<i64>,
        ints: &mut Vec<i64>,
        all_bool: &mut bool,
    ) -> Result<()> {
        if shape.len() == depth {
            shape.push(entries.len() as i64);
        } else if shape[depth] != entries.len() as i64 {
            return Err(index_error("a list in an index must be rectangular (every row of the same length)"));
        }
        for entry in entries {
            match entry {
                Index::Item(Item::Int(i)) if shape.len() == depth + 1 => {
                    *all_bool = false;
                    ints.push(*i);
                }
                Index::Item(Item::Bool(b)) if shape.len() == depth + 1 => ints.push(*b as i64),
                Index::Seq(_, inner) if entries.iter().all(|e| matches!(e, Index::Seq(..))) => {
                    walk(inner, depth + 1, shape, ints, all_bool)?
                }
                Index::Item(Item::Int(_) | Item::Bool(_)) | Index::Seq(..) => {
                    return Err(index_error("a list in an index must be rectangular (every row of the same length)"))
                }
                _ => {
                    return Err(index_error(
                        "a list inside an index holds ints or bools only (slices, null, '...' and tensors go in the index itself)",
                    ))
                }
            }
        }
        Ok(())
    }
    let (mut shape, mut ints, mut all_bool) = (Vec::new(), Vec::new(), true);
    walk(entries, 0, &mut shape, &mut ints, &mut all_bool)?;
    let t = Tensor::from_slice(&ints).f_reshape(&shape)?;
    // An empty list is an int64 index, as PyTorch's (`x[[]]` is empty, not an error).
    Ok(if all_bool && !ints.is_empty() { t.f_to_kind(Kind::Bool)? } else { t })
}

/// The number of dims an item consumes of the indexed tensor (None and bools add one).
fn consumed(item: &Item) -> i64 {
    match item {
        Item::Int(_) | Item::Slice(_) => 1,
        Item::Tensor(t) if matches!(t.kind(), Kind::Bool | Kind::Uint8) => t.dim() as i64,
        Item::Tensor(_) => 1,
        Item::None | Item::Ellipsis | Item::Bool(_) => 0,
    }
}

/// Integer index tensors checked against the sizes of the dims they index, before libtorch:
/// PyTorch's own wording, so that a CUDA tensor says what a CPU one does.
fn check_index_tensors(x: &Tensor, items: &[Item]) -> Result<()> {
    let shape = x.size();
    let ndim = shape.len() as i64;
    let used: i64 = items.iter().map(consumed).sum();
    let mut dim = 0i64;
    for item in items {
        match item {
            Item::Ellipsis => dim += (ndim - used).max(0),
            // Other dtypes are PyTorch's to refuse (host-side, on every device).
            Item::Tensor(t) if matches!(t.kind(), Kind::Int64 | Kind::Int) && dim < ndim => {
                let size = shape[dim as usize];
                if let Some(out) = out_of_range(t, -size, size)? {
                    return Err(index_error(format!(
                        "index {out} is out of bounds for dimension {dim} with size {size}"
                    )));
                }
                dim += 1;
            }
            other => dim += consumed(other),
        }
    }
    Ok(())
}

/// The smallest value of an integer tensor below `min`, else its largest at or above `end`, if
/// any (one min and one max, each a single host sync).
pub(crate) fn out_of_range(index: &Tensor, min: i64, end: i64) -> Result<Option<i64>> {
    if index.numel() == 0 {
        return Ok(None);
    }
    let lo = index.f_min()?.f_int64_value(&[])?;
    let hi = index.f_max()?.f_int64_value(&[])?;
    Ok(if lo < min {
        Some(lo)
    } else if hi >= end {
        Some(hi)
    } else {
        None
    })
}

#[repr(C)]
struct CIndex {
    kind: i32,
    i: i64,
    start: i64,
    stop: i64,
    step: i64,
    has_start: i32,
    has_stop: i32,
    has_step: i32,
    tensor: *const C_tensor,
}

extern "C" {
    #[allow(improper_ctypes)]
    fn nutorch_getitem(
        this: *const C_tensor,
        index: *const CIndex,
        n: usize,
        out: *mut *mut C_tensor,
        err: *mut c_char,
        cap: usize,
    ) -> c_int;
    #[allow(improper_ctypes)]
    fn nutorch_setitem(
        this: *const C_tensor,
        index: *const CIndex,
        n: usize,
        value: *const C_tensor,
        number: CScalar,
        err: *mut c_char,
        cap: usize,
    ) -> c_int;
}

/// The items as the shim reads them; they borrow the items' tensors.
fn c_items(items: &[Item]) -> Vec<CIndex> {
    items
        .iter()
        .map(|item| {
            let mut c = CIndex {
                kind: 0,
                i: 0,
                start: 0,
                stop: 0,
                step: 0,
                has_start: 0,
                has_stop: 0,
                has_step: 0,
                tensor: std::ptr::null(),
            };
            match item {
                Item::Int(i) => c.i = *i,
                Item::Slice(s) => {
                    c.kind = 1;
                    (c.start, c.has_start) = (s.start.unwrap_or(0), s.start.is_some() as i32);
                    (c.stop, c.has_stop) = (s.stop.unwrap_or(0), s.stop.is_some() as i32);
                    (c.step, c.has_step) = (s.step.unwrap_or(0), s.step.is_some() as i32);
                }
                Item::None => c.kind = 2,
                Item::Ellipsis => c.kind = 3,
                Item::Bool(b) => (c.kind, c.i) = (4, *b as i64),
                Item::Tensor(t) => (c.kind, c.tensor) = (5, t.as_ptr()),
            }
            c
        })
        .collect()
}

/// `x[index]`, as Python's `__getitem__` (a view where PyTorch gives one).
pub fn get(x: &Tensor, index: &Index) -> Result<Tensor> {
    let items = index.items()?;
    check_index_tensors(x, &items)?;
    let c = c_items(&items);
    let mut err = [0u8; 1024];
    let mut out: *mut C_tensor = std::ptr::null_mut();
    // SAFETY: x and the items' tensors are live for the call; on success the shim hands over
    // a new at::Tensor*, which tch's Tensor owns and frees.
    let rc = unsafe { nutorch_getitem(x.as_ptr(), c.as_ptr(), c.len(), &mut out, err.as_mut_ptr().cast(), err.len()) };
    if rc != 0 || out.is_null() {
        return Err(shim_error(&err));
    }
    Ok(unsafe { Tensor::from_ptr(out) })
}

/// What `x[index] = value` writes.
pub enum SetValue<'a> {
    Tensor(&'a Tensor),
    Number(Number),
}

/// `x[index] = value`, in place, as Python's `__setitem__`: the value broadcast to the indexed
/// part and cast to x's dtype (a number written as x's dtype holds it: 2.7 into int64 is 2).
pub fn set(x: &Tensor, index: &Index, value: SetValue<'_>) -> Result<()> {
    let items = index.items()?;
    check_index_tensors(x, &items)?;
    let c = c_items(&items);
    let (tensor, number) = match value {
        SetValue::Tensor(t) => (t.as_ptr(), Number::Int(0).into()),
        SetValue::Number(n) => (std::ptr::null(), n.into()),
    };
    let mut err = [0u8; 1024];
    // SAFETY: x, the value and the items' tensors are live for the call; the shim writes into
    // x's storage through at::Tensor::index_put_ and keeps no pointer.
    let rc =
        unsafe { nutorch_setitem(x.as_ptr(), c.as_ptr(), c.len(), tensor, number, err.as_mut_ptr().cast(), err.len()) };
    if rc != 0 {
        return Err(shim_error(&err));
    }
    Ok(())
}

/// PyTorch's text form of an index, as written between the brackets of `x[...]`:
/// `'1:3, ::2'`, `'..., None'`, `'-1'`, `'[0, 2], :'`, `'True'`, `'()'`.
pub fn parse(text: &str) -> Result<Index> {
    let mut p = Parser { text, pos: 0 };
    p.skip_space();
    if p.at_end() {
        return Err(index_error("an empty index: write ':' or '...' for every element, '()' for the tensor itself"));
    }
    let index = p.tuple_or_item(None)?;
    p.skip_space();
    if !p.at_end() {
        return Err(p.expected("',' or the end"));
    }
    Ok(index)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expected(&self, what: &str) -> Error {
        let found = match self.rest().chars().next() {
            Some(c) => format!("'{c}' at character {}", self.text[..self.pos].chars().count() + 1),
            None => "the end".to_string(),
        };
        index_error(format!("cannot read the index '{}': expected {what}, found {found}", self.text))
    }

    /// Entries separated by commas until `close` (or the end): a tuple when there is a comma,
    /// else the one entry. Inside brackets (`close` = ']') it is always a list.
    fn tuple_or_item(&mut self, close: Option<char>) -> Result<Index> {
        let in_list = close == Some(']');
        let mut entries = Vec::new();
        let mut comma = false;
        loop {
            self.skip_space();
            if self.at_end() || close.is_some_and(|c| self.rest().starts_with(c)) {
                break;
            }
            entries.push(self.entry(in_list)?);
            if self.eat(",") {
                comma = true;
            } else {
                break;
            }
        }
        if let Some(c) = close {
            if !self.eat(&c.to_string()) {
                return Err(self.expected(&format!("',' or '{c}'")));
            }
        }
        // `()` is the empty tuple; `(0)` is 0, `(0,)` a tuple.
        if in_list {
            return Ok(Index::Seq(SeqKind::List, entries));
        }
        match (comma, entries.pop()) {
            (false, Some(only)) if entries.is_empty() => Ok(only),
            (_, last) => {
                entries.extend(last);
                Ok(Index::Seq(SeqKind::Tuple, entries))
            }
        }
    }

    fn entry(&mut self, in_list: bool) -> Result<Index> {
        self.skip_space();
        for (word, item) in [
            ("...", Item::Ellipsis),
            ("Ellipsis", Item::Ellipsis),
            ("None", Item::None),
            ("True", Item::Bool(true)),
            ("False", Item::Bool(false)),
        ] {
            if self.eat(word) {
                return Ok(Index::Item(item));
            }
        }
        if self.eat("[") {
            return self.tuple_or_item(Some(']'));
        }
        if self.eat("(") {
            return self.tuple_or_item(Some(')'));
        }
        let start = self.int()?;
        if !self.eat(":") {
            return start.map(|i| Index::Item(Item::Int(i))).ok_or_else(|| {
                self.expected("an int, a slice such as 1:3, '...', None, True, False or a list such as [0, 2]")
            });
        }
        if in_list {
            return Err(index_error(format!(
                "cannot read the index '{}': a slice cannot be inside a list (as in Python)",
                self.text
            )));
        }
        let stop = self.int()?;
        let step = if self.eat(":") { self.int()? } else { None };
        Ok(Index::Item(Item::Slice(Slice { start, stop, step })))
    }

    /// An int with an optional sign (underscores allowed, as in Python), or None when there
    /// is no digit here.
    fn int(&mut self) -> Result<Option<i64>> {
        self.skip_space();
        let rest = self.rest();
        let sign_len = usize::from(rest.starts_with(['-', '+']));
        let digits = rest[sign_len..].chars().take_while(|c| c.is_ascii_digit() || *c == '_').count();
        if digits == 0 {
            if sign_len == 1 {
                self.pos += 1;
                return Err(self.expected("a digit"));
            }
            return Ok(None);
        }
        let token = &rest[..sign_len + digits];
        let value = token
            .replace('_', "")
            .parse::<i64>()
            .map_err(|_| index_error(format!("cannot read the index '{}': {token} is not a 64-bit int", self.text)))?;
        self.pos += token.len();
        Ok(Some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arange(n: i64, shape: &[i64]) -> Tensor {
        Tensor::arange(n, (Kind::Int64, tch::Device::Cpu)).reshape(shape)
    }

    fn values(t: &Tensor) -> Vec<i64> {
        Vec::<i64>::try_from(&t.flatten(0, -1)).unwrap()
    }

    #[test]
    fn the_text_form_reads_as_python_does() {
        let x = arange(12, &[3, 4]);
        // torch.arange(12).reshape(3, 4)[1:3, ::2] is [[4, 6], [8, 10]].
        let r = get(&x, &parse("1:3, ::2").unwrap()).unwrap();
        assert_eq!((r.size(), values(&r)), (vec![2, 2], vec![4, 6, 8, 10]));
        assert_eq!(get(&x, &parse("..., None").unwrap()).unwrap().size(), vec![3, 4, 1]);
        assert_eq!(values(&get(&x, &parse("-1").unwrap()).unwrap()), vec![8, 9, 10, 11]);
        assert_eq!(values(&get(&x, &parse(":, [0, -1]").unwrap()).unwrap()), vec![0, 3, 4, 7, 8, 11]);
        assert_eq!(get(&x, &parse("()").unwrap()).unwrap().size(), vec![3, 4]);
        // A list of lists is a tuple of index lists (PyTorch 2.11): x[[0, 1], [1, 0]] is [1, 4].
        assert_eq!(values(&get(&x, &parse("[[0, 1], [1, 0]]").unwrap()).unwrap()), vec![1, 4]);
        assert_eq!(get(&x, &parse("[True, False, True]").unwrap()).unwrap().size(), vec![2, 4]);
    }

    #[test]
    fn mistakes_are_errors_not_crashes() {
        let x = arange(12, &[3, 4]);
        for (text, says) in [
            ("", "empty index"),
            ("1:2:3:4", "expected ',' or the end"),
            ("[1:2]", "cannot be inside a list"),
            (":, [[0, 1], [2]]", "rectangular"),
            ("foo", "expected an int"),
            ("99999999999999999999", "not a 64-bit int"),
        ] {
            let err = parse(text).and_then(|i| get(&x, &i)).map(|t| t.size()).expect_err(text).to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
        let err = get(&x, &Index::Item(Item::Tensor(Tensor::from_slice(&[3i64])))).unwrap_err().to_string();
        assert_eq!(err, "index 3 is out of bounds for dimension 0 with size 3");
        let err = get(&x, &parse(":, [4]").unwrap()).unwrap_err().to_string();
        assert_eq!(err, "index 4 is out of bounds for dimension 1 with size 4");
        assert!(get(&x, &parse("::-1").unwrap()).unwrap_err().to_string().contains("step must be greater than zero"));
    }

    #[test]
    fn assignment_broadcasts_and_casts_as_python() {
        let x = arange(6, &[2, 3]);
        set(&x, &parse(":, 1:").unwrap(), SetValue::Number(Number::Float(2.7))).unwrap();
        assert_eq!(values(&x), vec![0, 2, 2, 3, 2, 2]);
        set(&x, &parse("0").unwrap(), SetValue::Tensor(&Tensor::from_slice(&[7i64, 8, 9]))).unwrap();
        assert_eq!(values(&x), vec![7, 8, 9, 3, 2, 2]);
        let mask = x.gt(5);
        set(&x, &Index::Item(Item::Tensor(mask)), SetValue::Number(Number::Int(-1))).unwrap();
        assert_eq!(values(&x), vec![-1, -1, -1, 3, 2, 2]);
        let err = set(&x, &parse("0").unwrap(), SetValue::Tensor(&Tensor::from_slice(&[1i64, 2]))).unwrap_err();
        assert!(err.to_string().contains("shape mismatch") || err.to_string().contains("must match"), "{err}");
    }
}
