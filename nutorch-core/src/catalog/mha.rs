//! torch.nn.functional.multi_head_attention_forward, step by step as torch/nn/functional.py
//! computes it (the shape checks and messages included), on tch's fallible calls.

use super::spec::{bad, OpResult, Out};
use super::util::R;
use super::Args;
use tch::{Kind, Tensor};

/// `input @ weight^T + bias`.
fn linear(x: &Tensor, w: &Tensor, b: Option<&Tensor>) -> R<Tensor> {
    Ok(x.f_linear(w, b)?)
}

/// Whether two arguments are the same tensor (Python's `is`): the same data, shape and strides.
fn same(a: &Tensor, b: &Tensor) -> bool {
    a.data_ptr() == b.data_ptr()
        && a.size() == b.size()
        && a.stride() == b.stride()
        && a.f_kind().ok() == b.f_kind().ok()
}

/// A float mask as it is, a bool mask as 0 / -inf of `kind` (`_canonical_mask`).
fn canonical_mask(name: &'static str, mask: Option<&Tensor>, kind: Kind) -> R<Option<Tensor>> {
    let Some(m) = mask else { return Ok(None) };
    let dt = super::util::dtype(m)?;
    if dt.is_floating_point() {
        return Ok(Some(m.shallow_clone()));
    }
    if dt != crate::dtype::DType::Bool {
        return Err(bad(name, format!("only bool and floating types of {name} are supported")));
    }
    let zeros = m.f_zeros_like()?.f_to_kind(kind)?;
    Ok(Some(zeros.f_masked_fill_tensor(m, &super::util::num(f64::NEG_INFINITY, &zeros)?)?))
}

/// `pad(x, (0, 1))`: one zero column more in the last dim.
fn pad_last(x: &Tensor) -> R<Tensor> {
    Ok(x.f_constant_pad_nd([0i64, 1])?)
}

/// `x.shape[:n]`.
fn lead(x: &Tensor, n: usize) -> Vec<i64> {
    x.size().into_iter().take(n).collect()
}

/// The shape checks of `_mha_shape_check`; whether the query is batched.
fn shape_check(q: &Tensor, k: &Tensor, v: &Tensor, kpm: Option<&Tensor>, mask: Option<&Tensor>, heads: i64) -> R<bool> {
    let (kd, vd) = (k.dim(), v.dim());
    match q.dim() {
        3 => {
            if kd != 3 || vd != 3 {
                return Err(bad("key", format!("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found {kd}-D and {vd}-D tensors respectively")));
            }
            if let Some(m) = kpm.filter(|m| m.dim() != 2) {
                return Err(bad("key_padding_mask", format!("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but found {}-D tensor instead", m.dim())));
            }
            if let Some(m) = mask.filter(|m| !matches!(m.dim(), 2 | 3)) {
                return Err(bad("attn_mask", format!("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found {}-D tensor instead", m.dim())));
            }
            Ok(true)
        }
        2 => {
            if kd != 2 || vd != 2 {
                return Err(bad("key", format!("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found {kd}-D and {vd}-D tensors respectively")));
            }
            if let Some(m) = kpm.filter(|m| m.dim() != 1) {
                return Err(bad("key_padding_mask", format!("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but found {}-D tensor instead", m.dim())));
            }
            if let Some(m) = mask {
                if !matches!(m.dim(), 2 | 3) {
                    return Err(bad("attn_mask", format!("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found {}-D tensor instead", m.dim())));
                }
                let want = vec![heads, q.size()[0], k.size()[0]];
                if m.dim() == 3 && m.size() != want {
                    return Err(bad(
                        "attn_mask",
                        format!("Expected `attn_mask` shape to be {want:?} but got {:?}", m.size()),
                    ));
                }
            }
            Ok(false)
        }
        d => Err(bad(
            "query",
            format!("query should be unbatched 2D or batched 3D tensor but received {d}-D query tensor"),
        )),
    }
}

/// The packed in_proj_bias as its q, k and v thirds.
fn split_in_proj_bias(b: Option<&Tensor>) -> R<Option<Vec<Tensor>>> {
    let Some(b) = b else { return Ok(None) };
    let bs = b.f_chunk(3, 0)?;
    if bs.len() != 3 {
        return Err(bad(
            "in_proj_bias",
            format!("in_proj_bias of shape {:?} does not split into three biases", b.size()),
        ));
    }
    Ok(Some(bs))
}

/// A projection's N parts as an array (split3 gives exactly N).
fn parts_of<const N: usize>(parts: Vec<Tensor>) -> R<[Tensor; N]> {
    parts.try_into().map_err(|p: Vec<Tensor>| {
        bad("in_proj_weight", format!("the projection split into {} parts, not {N}", p.len()))
    })
}

/// q, k and v projected by the packed in_proj_weight (`_in_projection_packed`).
fn in_projection_packed(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
) -> R<(Tensor, Tensor, Tensor)> {
    let e = *q.size().last().unwrap_or(&0);
    // Python's `k is v` and `q is k`: one projection for the shared input.
    let split3 = |proj: Tensor, parts: i64| -> R<Vec<Tensor>> {
        let p =
            proj.f_unflatten(-1, [parts, e])?.f_unsqueeze(0)?.f_transpose(0, -2)?.f_squeeze_dim(-2)?.f_contiguous()?;
        Ok((0..parts).map(|i| p.f_select(0, i)).collect::<Result<_, _>>()?)
    };
    if same(k, v) {
        if same(q, k) {
            let [qq, kk, vv] = parts_of::<3>(split3(linear(q, w, b)?, 3)?)?;
            return Ok((qq, kk, vv));
        }
        let ws = w.f_split_with_sizes([e, e * 2], 0)?;
        let bs = match b {
            Some(b) => Some(b.f_split_with_sizes([e, e * 2], 0)?),
            None => None,
        };
        let q_proj = linear(q, &ws[0], bs.as_ref().map(|b| &b[0]))?;
        let [kk, vv] = parts_of::<2>(split3(linear(k, &ws[1], bs.as_ref().map(|b| &b[1]))?, 2)?)?;
        return Ok((q_proj, kk, vv));
    }
    let ws = w.f_chunk(3, 0)?;
    if ws.len() != 3 {
        return Err(bad(
            "in_proj_weight",
            format!("in_proj_weight of shape {:?} does not split into three projections", w.size()),
        ));
    }
    let bs = split_in_proj_bias(b)?;
    let bias = |i: usize| bs.as_ref().map(|b| &b[i]);
    Ok((linear(q, &ws[0], bias(0))?, linear(k, &ws[1], bias(1))?, linear(v, &ws[2], bias(2))?))
}

pub fn multi_head_attention_forward(a: &Args) -> OpResult {
    let (query, key, value) = (a.tensor("query"), a.tensor("key"), a.tensor("value"));
    let heads = a.int("num_heads");
    let attn_mask_in = a.opt_tensor("attn_mask");
    let kpm_in = a.opt_tensor("key_padding_mask");
    let batched = shape_check(query, key, value, kpm_in, attn_mask_in, heads)?;
    let (query, key, value, kpm_in) = if batched {
        (query.shallow_clone(), key.shallow_clone(), value.shallow_clone(), kpm_in.map(Tensor::shallow_clone))
    } else {
        let kpm = match kpm_in {
            Some(m) => Some(m.f_unsqueeze(0)?),
            None => None,
        };
        (query.f_unsqueeze(1)?, key.f_unsqueeze(1)?, value.f_unsqueeze(1)?, kpm)
    };
    let (tgt_len, bsz, embed_dim) = match query.size()[..] {
        [t, b, e] => (t, b, e),
        _ => return Err(bad("query", "query should be unbatched 2D or batched 3D tensor")),
    };
    let kind = query.f_kind()?;
    let mut key_padding_mask = canonical_mask("key_padding_mask", kpm_in.as_ref(), kind)?;
    let mut is_causal = a.flag("is_causal");
    let need_weights = a.flag("need_weights");
    if is_causal && attn_mask_in.is_none() {
        return Err(bad("is_causal", "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask."));
    }
    let mut attn_mask = if is_causal && key_padding_mask.is_none() && !need_weights {
        None
    } else {
        let m = canonical_mask("attn_mask", attn_mask_in, kind)?;
        if key_padding_mask.is_some() {
            is_causal = false;
        }
        m
    };
    let check = a.int("embed_dim_to_check");
    if embed_dim != check {
        return Err(bad(
            "embed_dim_to_check",
            format!("was expecting embedding dimension of {check}, but got {embed_dim}"),
        ));
    }
    if heads <= 0 {
        return Err(bad("num_heads", format!("num_heads must be positive, got {heads}")));
    }
    let head_dim = embed_dim.div_euclid(heads);
    if head_dim * heads != embed_dim {
        return Err(bad("num_heads", format!("embed_dim {embed_dim} not divisible by num_heads {heads}")));
    }
    let separate = a.flag("use_separate_proj_weight");
    if separate {
        if lead(&key, 2) != lead(&value, 2) {
            return Err(bad(
                "value",
                format!("key's sequence and batch dims {:?} do not match value's {:?}", lead(&key, 2), lead(&value, 2)),
            ));
        }
    } else if key.size() != value.size() {
        return Err(bad("value", format!("key shape {:?} does not match value shape {:?}", key.size(), value.size())));
    }
    let in_bias = a.opt_tensor("in_proj_bias");
    let (q, k, v) = if !separate {
        let Some(w) = a.opt_tensor("in_proj_weight") else {
            return Err(bad("in_proj_weight", "use_separate_proj_weight is False but in_proj_weight is None"));
        };
        // The packed path tells shared inputs apart by identity, as Python's `is` does (an
        // unbatched input was unsqueezed into a new tensor each: never shared).
        let (q0, k0, v0) = (a.tensor("query"), a.tensor("key"), a.tensor("value"));
        let kv = batched && same(k0, v0);
        let vv = if kv { key.shallow_clone() } else { value.shallow_clone() };
        let qq = if kv && same(q0, k0) { key.shallow_clone() } else { query.shallow_clone() };
        in_projection_packed(&qq, &key, &vv, w, in_bias)?
    } else {
        let mut ws = Vec::new();
        for name in ["q_proj_weight", "k_proj_weight", "v_proj_weight"] {
            match a.opt_tensor(name) {
                Some(w) => ws.push(w),
                None => return Err(bad(name, format!("use_separate_proj_weight is True but {name} is None"))),
            }
        }
        let bs = split_in_proj_bias(in_bias)?;
        let last = |x: &Tensor| *x.size().last().unwrap_or(&0);
        let (eq, ek, ev) = (last(&query), last(&key), last(&value));
        for (name, w, want) in
            [("q_proj_weight", ws[0], [eq, eq]), ("k_proj_weight", ws[1], [eq, ek]), ("v_proj_weight", ws[2], [eq, ev])]
        {
            if w.size() != want {
                let what = &name[..1];
                let what = match what {
                    "q" => "query",
                    "k" => "key",
                    _ => "value",
                };
                return Err(bad(name, format!("expecting {what} weights shape of {want:?}, but got {:?}", w.size())));
            }
        }
        if let Some(bs) = &bs {
            for (b, what) in bs.iter().zip(["query", "key", "value"]) {
                if b.size() != [eq] {
                    return Err(bad(
                        "in_proj_bias",
                        format!("expecting {what} bias shape of [{eq}], but got {:?}", b.size()),
                    ));
                }
            }
        }
        let bias = |i: usize| bs.as_ref().map(|b| &b[i]);
        (linear(&query, ws[0], bias(0))?, linear(&key, ws[1], bias(1))?, linear(&value, ws[2], bias(2))?)
    };
    let mut src_len = key.size()[0];
    if let Some(m) = attn_mask.take() {
        attn_mask = Some(match m.dim() {
            2 => {
                if m.size() != [tgt_len, src_len] {
                    return Err(bad(
                        "attn_mask",
                        format!(
                            "The shape of the 2D attn_mask is {:?}, but should be {:?}.",
                            m.size(),
                            [tgt_len, src_len]
                        ),
                    ));
                }
                m.f_unsqueeze(0)?
            }
            3 => {
                let want = [bsz * heads, tgt_len, src_len];
                if m.size() != want {
                    return Err(bad(
                        "attn_mask",
                        format!("The shape of the 3D attn_mask is {:?}, but should be {want:?}.", m.size()),
                    ));
                }
                m
            }
            d => return Err(bad("attn_mask", format!("attn_mask's dimension {d} is not supported"))),
        });
    }
    let (static_k, static_v) = (a.opt_tensor("static_k"), a.opt_tensor("static_v"));
    let (mut k, mut v) = (k, v);
    match (a.opt_tensor("bias_k"), a.opt_tensor("bias_v")) {
        (Some(bk), Some(bv)) => {
            if static_k.is_some() {
                return Err(bad("static_k", "bias cannot be added to static key."));
            }
            if static_v.is_some() {
                return Err(bad("static_v", "bias cannot be added to static value."));
            }
            k = Tensor::f_cat(&[k, bk.f_repeat([1, bsz, 1])?], 0)?;
            v = Tensor::f_cat(&[v, bv.f_repeat([1, bsz, 1])?], 0)?;
            attn_mask = attn_mask.map(|m| pad_last(&m)).transpose()?;
            key_padding_mask = key_padding_mask.map(|m| pad_last(&m)).transpose()?;
        }
        (Some(_), None) => return Err(bad("bias_k", "bias_k is set but bias_v is None")),
        (None, Some(_)) => return Err(bad("bias_v", "bias_v is set but bias_k is None")),
        (None, None) => {}
    }
    let bh = bsz * heads;
    let q = q.f_view([tgt_len, bh, head_dim])?.f_transpose(0, 1)?;
    let heads_view = |x: Tensor, stat: Option<&Tensor>, name: &'static str| -> R<Tensor> {
        match stat {
            None => Ok(x.f_view([x.size()[0], bh, head_dim])?.f_transpose(0, 1)?),
            Some(s) => {
                let size = s.size();
                let what = if name == "static_k" { "static_k" } else { "static_v" };
                if size.first() != Some(&bh) {
                    return Err(bad(name, format!("expecting {what}.size(0) of {bh}, but got {:?}", size.first())));
                }
                if size.len() < 3 || size[2] != head_dim {
                    return Err(bad(
                        name,
                        format!("expecting {what}.size(2) of {head_dim}, but got {:?}", size.get(2)),
                    ));
                }
                Ok(s.shallow_clone())
            }
        }
    };
    let mut k = heads_view(k, static_k, "static_k")?;
    let mut v = heads_view(v, static_v, "static_v")?;
    if a.flag("add_zero_attn") {
        let zeros = |x: &Tensor| -> R<Tensor> { Ok(Tensor::f_zeros([bh, 1, head_dim], (x.f_kind()?, x.device()))?) };
        k = Tensor::f_cat(&[k.shallow_clone(), zeros(&k)?], 1)?;
        v = Tensor::f_cat(&[v.shallow_clone(), zeros(&v)?], 1)?;
        attn_mask = attn_mask.map(|m| pad_last(&m)).transpose()?;
        key_padding_mask = key_padding_mask.map(|m| pad_last(&m)).transpose()?;
    }
    src_len = k.size()[1];
    if let Some(m) = key_padding_mask.take() {
        let size = m.size();
        if size.first() != Some(&bsz) {
            return Err(bad(
                "key_padding_mask",
                format!("Expected key_padded_mask.shape[0] to be {bsz}, but got {:?}", size.first()),
            ));
        }
        if size.get(1) != Some(&src_len) {
            return Err(bad(
                "key_padding_mask",
                format!("Expected key_padded_mask.shape[1] to be {src_len}, but got {:?}", size.get(1)),
            ));
        }
        let m = m.f_view([bsz, 1, 1, src_len])?.f_expand([-1, heads, -1, -1], false)?.f_reshape([bh, 1, src_len])?;
        attn_mask = Some(match attn_mask {
            None => m,
            Some(am) => am.f_add(&m)?,
        });
    }
    let p = if a.flag("training") { a.float("dropout_p") } else { 0.0 };
    if !(0.0..=1.0).contains(&p) {
        return Err(bad("dropout_p", format!("dropout probability has to be between 0 and 1, but got {p}")));
    }
    let out_w = a.opt_tensor("out_proj_weight").ok_or_else(|| bad("out_proj_weight", "out_proj_weight is required"))?;
    let out_b = a.opt_tensor("out_proj_bias");
    if need_weights {
        let e = *q.size().last().unwrap_or(&1);
        let q_scaled = q.f_mul(&super::util::num((1.0 / e as f64).sqrt(), &q)?)?;
        let kt = k.f_transpose(-2, -1)?;
        // torch.baddbmm(attn_mask, q, k^T) takes no mask of another dtype (an add would promote).
        if let Some(m) = &attn_mask {
            let (mk, qk) = (m.f_kind()?, q_scaled.f_kind()?);
            if mk != qk {
                let blamed = match attn_mask_in {
                    Some(am) if am.f_kind()? != Kind::Bool && am.f_kind()? != qk => "attn_mask",
                    _ => "key_padding_mask",
                };
                let (mk, qk) = (super::util::dtype(m)?, super::util::dtype(&q_scaled)?);
                return Err(bad(
                    blamed,
                    format!("Input dtypes must be the same, got: input {mk}, batch1: {qk}, batch2: {qk}"),
                ));
            }
        }
        let w = match &attn_mask {
            Some(m) => m.f_add(&q_scaled.f_bmm(&kt)?)?,
            None => q_scaled.f_bmm(&kt)?,
        };
        let mut w = w.f_softmax(-1, None::<Kind>)?;
        if p > 0.0 {
            w = w.f_dropout(p, true)?;
        }
        let out = w.f_bmm(&v)?.f_transpose(0, 1)?.f_contiguous()?.f_view([tgt_len * bsz, embed_dim])?;
        let out = linear(&out, out_w, out_b)?;
        let out = out.f_view([tgt_len, bsz, out.size()[1]])?;
        let mut w = w.f_view([bsz, heads, tgt_len, src_len])?;
        if a.flag("average_attn_weights") {
            w = w.f_mean_dim(1, false, None::<Kind>)?;
        }
        let (out, w) = if batched { (out, w) } else { (out.f_squeeze_dim(1)?, w.f_squeeze_dim(0)?) };
        return Ok(Out::Fields(vec![("attn_output", Out::T(out)), ("attn_output_weights", Out::T(w))]));
    }
    let attn_mask = match attn_mask {
        Some(m) if m.size()[0] == 1 && m.dim() == 3 => Some(m.f_unsqueeze(0)?),
        Some(m) => Some(m.f_view([bsz, heads, -1, src_len])?),
        None => None,
    };
    let q = q.f_view([bsz, heads, tgt_len, head_dim])?;
    let k = k.f_view([bsz, heads, src_len, head_dim])?;
    let v = v.f_view([bsz, heads, src_len, head_dim])?;
    let out = Tensor::f_scaled_dot_product_attention(&q, &k, &v, attn_mask.as_ref(), p, is_causal, None, false)?;
    let out = out.f_permute([2, 0, 1, 3])?.f_contiguous()?.f_view([bsz * tgt_len, embed_dim])?;
    let out = linear(&out, out_w, out_b)?;
    let out = out.f_view([tgt_len, bsz, out.size()[1]])?;
    let out = if batched { out } else { out.f_squeeze_dim(1)? };
    Ok(Out::Fields(vec![("attn_output", Out::T(out)), ("attn_output_weights", Out::Nothing)]))
}
