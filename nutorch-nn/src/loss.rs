//! Losses with `torch.nn.functional` semantics (mean reduction): cross-entropy (class weights,
//! label smoothing, class-probability targets), NLL, MSE, L1, smooth L1, Huber, BCE and BCE
//! with logits. Inputs are checked first, so a wrong target dtype or shape is a clear error
//! rather than a libtorch refusal deep in a training loop.

use nutorch_core::{DType, Error, Result};
use tch::{Kind, Reduction, Tensor};

/// PyTorch's default `ignore_index` for cross-entropy and NLL.
pub const IGNORE_INDEX: i64 = -100;

/// Below this many classes the fast cross-entropy runs on `[C, N]` (see [`Targets`]).
const TRANSPOSE_BELOW_CLASSES: i64 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossKind {
    CrossEntropy,
    Nll,
    Mse,
    L1,
    SmoothL1,
    Huber,
    Bce,
    BceWithLogits,
}

impl LossKind {
    /// Every loss, with its name as a flag value and its PyTorch function.
    pub const ALL: [(LossKind, &'static str, &'static str); 8] = [
        (LossKind::CrossEntropy, "cross-entropy", "F.cross_entropy"),
        (LossKind::Nll, "nll", "F.nll_loss"),
        (LossKind::Mse, "mse", "F.mse_loss"),
        (LossKind::L1, "l1", "F.l1_loss"),
        (LossKind::SmoothL1, "smooth-l1", "F.smooth_l1_loss"),
        (LossKind::Huber, "huber", "F.huber_loss"),
        (LossKind::Bce, "bce", "F.binary_cross_entropy"),
        (LossKind::BceWithLogits, "bce-with-logits", "F.binary_cross_entropy_with_logits"),
    ];

    /// A loss by name: the flag names above, with `_` for `-` and PyTorch's own names
    /// (`cross_entropy`, `mse_loss`, `CrossEntropyLoss`, …) accepted too.
    pub fn parse(name: &str) -> Result<LossKind> {
        let key: String = name.trim().to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let key = key.strip_suffix("loss").unwrap_or(&key);
        for (kind, flag, _) in LossKind::ALL {
            let canonical: String = flag.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if key == canonical {
                return Ok(kind);
            }
        }
        let names: Vec<_> = LossKind::ALL.iter().map(|(_, n, _)| *n).collect();
        Err(Error::Argument(format!("unknown loss '{name}'; expected one of {}", names.join(", "))))
    }

    pub fn name(self) -> &'static str {
        LossKind::ALL.iter().find(|(k, _, _)| *k == self).map(|(_, n, _)| *n).unwrap_or("?")
    }

    /// Losses whose targets are class indices: accuracy means something for them.
    pub fn is_classification(self) -> bool {
        matches!(self, LossKind::CrossEntropy | LossKind::Nll)
    }
}

/// A loss function with its options (PyTorch's defaults from [`Loss::new`]).
#[derive(Debug)]
pub struct Loss {
    pub kind: LossKind,
    /// Cross-entropy and NLL: a weight per class, `[C]`.
    pub weight: Option<Tensor>,
    /// Cross-entropy: 0.0 by default.
    pub label_smoothing: f64,
    /// Smooth L1's `beta` (1.0).
    pub beta: f64,
    /// Huber's `delta` (1.0).
    pub delta: f64,
}

impl Loss {
    pub fn new(kind: LossKind) -> Loss {
        Loss { kind, weight: None, label_smoothing: 0.0, beta: 1.0, delta: 1.0 }
    }

    /// Checks the options themselves (before any data is seen).
    pub fn check_options(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.label_smoothing) {
            return Err(Error::Argument(format!(
                "label_smoothing must be between 0.0 and 1.0, got {}",
                self.label_smoothing
            )));
        }
        if !self.beta.is_finite() || self.beta < 0.0 {
            return Err(Error::Argument(format!(
                "smooth_l1_loss does not support negative values for beta, got {}",
                self.beta
            )));
        }
        if !self.delta.is_finite() || self.delta <= 0.0 {
            return Err(Error::Argument(format!(
                "huber_loss does not support non-positive values for delta, got {}",
                self.delta
            )));
        }
        if self.label_smoothing != 0.0 && self.kind != LossKind::CrossEntropy {
            return Err(Error::Argument("label_smoothing is an option of cross-entropy only".into()));
        }
        if self.weight.is_some()
            && !matches!(self.kind, LossKind::CrossEntropy | LossKind::Nll | LossKind::Bce | LossKind::BceWithLogits)
        {
            return Err(Error::Argument(format!("{} takes no class weights", self.kind.name())));
        }
        Ok(())
    }

    /// Checks that `output` and `target` fit this loss (dtypes, shapes, class range), as
    /// PyTorch would refuse them, with messages that say what to change.
    pub fn check(&self, output: &Tensor, target: &Tensor) -> Result<()> {
        self.check_options()?;
        let name = self.kind.name();
        let (out_dtype, target_dtype) = (DType::of(output)?, DType::of(target)?);
        if !out_dtype.is_floating_point() {
            return Err(Error::Value(format!("{name} needs a floating point model output, got {out_dtype}")));
        }
        if output.device() != target.device() {
            return Err(Error::Value(format!("{name}: the model output and the targets are on different devices")));
        }
        let (o, t) = (output.size(), target.size());
        match self.kind {
            LossKind::CrossEntropy | LossKind::Nll => {
                let class_dim = if o.len() == 1 { 0 } else { 1 };
                let classes = o.get(class_dim).copied().unwrap_or(0);
                if o.is_empty() {
                    return Err(Error::Value(format!("{name} needs outputs [N, C] (or [C]), got a 0-d tensor")));
                }
                let mut index_shape = o.clone();
                index_shape.remove(class_dim);
                // Float targets are class probabilities only when they have the output's
                // shape; float targets shaped like class indices (labels read as floats) are
                // what PyTorch reports as a dtype error ("expected scalar type Long but found
                // Float"), and so do we, below.
                let probabilities = target_dtype.is_floating_point() && (t == o || t != index_shape);
                if probabilities && self.kind == LossKind::CrossEntropy {
                    if t != o {
                        return Err(Error::Value(format!(
                            "{name} takes int64 class indices (shape {:?}) or class probabilities of the output's shape {o:?}; got {target_dtype} targets of shape {t:?}", [&o[..1], &o[2.min(o.len())..]].concat()
                        )));
                    }
                } else {
                    if target_dtype != DType::Int64 {
                        return Err(Error::Value(format!(
                            "{name} needs int64 class indices as targets, got {target_dtype} (convert with `to --dtype int64`)"
                        )));
                    }
                    let want = index_shape;
                    if t != want {
                        return Err(Error::Value(format!(
                            "{name} needs targets of shape {want:?} for outputs {o:?} ([N, C] outputs take [N] targets), got {t:?}"
                        )));
                    }
                    check_class_range(name, target, classes)?;
                }
                if let Some(weight) = &self.weight {
                    if weight.size() != [classes] {
                        return Err(Error::Value(format!(
                            "{name}: the class weights must have shape [{classes}], got {:?}",
                            weight.size()
                        )));
                    }
                }
            }
            _ => {
                if !target_dtype.is_floating_point() {
                    return Err(Error::Value(format!(
                        "{name} needs floating point targets, got {target_dtype} (convert with `to --dtype {out_dtype}`)"
                    )));
                }
                if t != o {
                    return Err(Error::Value(format!(
                        "{name} needs targets of the output's shape {o:?}, got {t:?} (reshape them; PyTorch would broadcast with a warning, which is rarely what was meant)"
                    )));
                }
                if self.kind == LossKind::Bce && output.numel() > 0 {
                    let (low, high) = (output.f_min()?.f_double_value(&[])?, output.f_max()?.f_double_value(&[])?);
                    if !(0.0..=1.0).contains(&low) || !(0.0..=1.0).contains(&high) {
                        return Err(Error::Value(
                            "bce needs probabilities in [0, 1] as the model output (end the model with a Sigmoid, or use bce-with-logits)".into(),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The loss (a 0-d tensor, differentiable with respect to `output`). Call
    /// [`Loss::check`] first: libtorch refuses some mistakes only by panicking through tch.
    pub fn compute(&self, output: &Tensor, target: &Tensor) -> Result<Tensor> {
        let r = Reduction::Mean;
        Ok(match self.kind {
            LossKind::CrossEntropy => {
                output.f_cross_entropy_loss(target, self.weight.as_ref(), r, IGNORE_INDEX, self.label_smoothing)?
            }
            LossKind::Nll => output.f_nll_loss(target, self.weight.as_ref(), r, IGNORE_INDEX)?,
            LossKind::Mse => output.f_mse_loss(target, r)?,
            LossKind::L1 => output.f_l1_loss(target, r)?,
            LossKind::SmoothL1 => output.f_smooth_l1_loss(target, r, self.beta)?,
            LossKind::Huber => output.f_huber_loss(target, r, self.delta)?,
            LossKind::Bce => output.f_binary_cross_entropy(target, self.weight.as_ref(), r)?,
            LossKind::BceWithLogits => {
                output.f_binary_cross_entropy_with_logits(target, self.weight.as_ref(), None::<&Tensor>, r)?
            }
        })
    }

    /// Whether the fast column-layout cross-entropy computes this loss for these targets:
    /// plain cross-entropy of `[N, C]` outputs against int64 classes, all in range.
    pub(crate) fn columns_capable(&self, target: &Tensor) -> bool {
        self.kind == LossKind::CrossEntropy
            && self.weight.is_none()
            && self.label_smoothing == 0.0
            && target.dim() == 1
            && target.f_kind().ok() == Some(Kind::Int64)
            && target.numel() > 0
            && target.f_min().and_then(|m| m.f_int64_value(&[])).is_ok_and(|m| m >= 0)
    }
}

/// `F.cross_entropy(logits, targets)` for logits `[N, C]` and int64 classes `[N]`, checked.
pub fn cross_entropy(logits: &Tensor, targets: &Tensor) -> Result<Tensor> {
    let loss = Loss::new(LossKind::CrossEntropy);
    loss.check(logits, targets)?;
    loss.compute(logits, targets)
}

/// Class indices shaped for the column layout's cross-entropy: the loss assembled from
/// `log_softmax` over classes and a `gather`, on `[C, N]` logits when there are few classes
/// (libtorch's CPU kernel vectorizes along the last dimension: with 3 classes the lanes would
/// idle on `[N, C]`; on `[C, N]` they run over the samples). Same function as
/// `F.cross_entropy`, several times faster for the reference workload.
pub(crate) struct Targets {
    /// `[1, N]`, for gathering from `[C, N]` log-probabilities.
    row: Tensor,
    /// `[N, 1]`, for gathering from `[N, C]` log-probabilities.
    column: Tensor,
}

impl Targets {
    pub(crate) fn new(targets: &Tensor) -> Result<Targets> {
        Ok(Targets { row: targets.f_unsqueeze(0)?, column: targets.f_unsqueeze(1)? })
    }

    /// The log-probabilities of logits given as columns (`[C, N]`), in the layout the loss
    /// reads them: `[C, N]` itself for few classes, else `[N, C]` (`transposed`); with the
    /// class dimension and the targets shaped to gather along it.
    fn log_probs(&self, logits_t: &Tensor) -> Result<(Tensor, i64, &Tensor, bool)> {
        let classes = logits_t.size().first().copied().unwrap_or(0);
        Ok(if classes < TRANSPOSE_BELOW_CLASSES {
            (logits_t.f_log_softmax(0, None::<Kind>)?, 0, &self.row, false)
        } else {
            (logits_t.f_tr()?.f_contiguous()?.f_log_softmax(1, None::<Kind>)?, 1, &self.column, true)
        })
    }

    /// The mean loss for logits given as columns, `[C, N]`.
    pub(crate) fn mean_nll_columns(&self, logits_t: &Tensor) -> Result<Tensor> {
        let (log_probs, dim, index, _) = self.log_probs(logits_t)?;
        Ok(log_probs.f_gather(dim, index, false)?.f_mean(None::<Kind>)?.f_neg()?)
    }

    /// [`Targets::mean_nll_columns`] and its gradient with respect to `logits_t`, with the ops
    /// autograd's backward runs for it: the mean's `-1 / N` for each picked entry (expanded,
    /// not copied, as autograd's mean backward does), the gather's `scatter_add` into zeros,
    /// log-softmax's backward.
    pub(crate) fn mean_nll_columns_with_grad(&self, logits_t: &Tensor) -> Result<(Tensor, Tensor)> {
        let (log_probs, dim, index, transposed) = self.log_probs(logits_t)?;
        let loss = log_probs.f_gather(dim, index, false)?.f_mean(None::<Kind>)?.f_neg()?;
        let samples = logits_t.size().get(1).copied().unwrap_or(0);
        let kind = log_probs.f_kind()?;
        let picked = Tensor::f_full([1, 1], -1.0, (kind, log_probs.device()))?.f_div_scalar(samples)?;
        let picked = picked.f_expand(index.size(), false)?;
        let grad = log_probs.f_zeros_like()?.f_scatter_add_(dim, index, &picked)?;
        let grad = Tensor::f_internal_log_softmax_backward_data(&grad, &log_probs, dim, kind)?;
        Ok((loss, if transposed { grad.f_tr()? } else { grad }))
    }
}

/// Every target is a class index in `0..classes` or the ignored index.
fn check_class_range(name: &str, targets: &Tensor, classes: i64) -> Result<()> {
    let counted = targets.f_ne(IGNORE_INDEX)?;
    let kept = targets.f_masked_select(&counted)?;
    if kept.numel() == 0 {
        return Ok(());
    }
    let low = kept.f_min()?.f_int64_value(&[])?;
    let high = kept.f_max()?.f_int64_value(&[])?;
    if low < 0 || high >= classes {
        let bad = if low < 0 { low } else { high };
        return Err(Error::Value(format!(
            "{name} target {bad} is out of range: the output has {classes} classes (0..{})",
            classes - 1
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn uniform_logits_give_log_c() {
        let logits = Tensor::zeros([4, 3], (Kind::Float, Device::Cpu));
        let targets = Tensor::from_slice(&[0i64, 1, 2, 1]);
        let loss = cross_entropy(&logits, &targets).unwrap().double_value(&[]);
        assert!((loss - 3f64.ln()).abs() < 1e-6, "{loss}");
    }

    #[test]
    fn the_column_layout_gives_the_same_loss() {
        for classes in [3, 40] {
            let logits = Tensor::randn([30, classes], (Kind::Double, Device::Cpu));
            let targets = Tensor::randint(classes, [30], (Kind::Int64, Device::Cpu));
            let columns = Targets::new(&targets).unwrap().mean_nll_columns(&logits.tr().contiguous()).unwrap();
            let direct = cross_entropy(&logits, &targets).unwrap();
            assert!((columns.double_value(&[]) - direct.double_value(&[])).abs() < 1e-12);
        }
    }

    #[test]
    fn names_parse_as_pytorch_spells_them() {
        for name in ["cross-entropy", "cross_entropy", "CrossEntropyLoss", "ce"] {
            let parsed = LossKind::parse(name);
            assert_eq!(parsed.is_ok(), name != "ce", "{name}");
        }
        assert_eq!(LossKind::parse("mse_loss").unwrap(), LossKind::Mse);
        assert_eq!(LossKind::parse("BCEWithLogitsLoss").unwrap(), LossKind::BceWithLogits);
    }

    #[test]
    fn bad_targets_are_clear_errors() {
        let logits = Tensor::zeros([2, 3], (Kind::Float, Device::Cpu));
        let err = cross_entropy(&logits, &Tensor::zeros([2], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
        assert!(err.contains("int64 class indices") && err.contains("float32"), "{err}");
        let err = cross_entropy(&logits, &Tensor::zeros([2, 4], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
        assert!(err.contains("class probabilities") && err.contains("[2, 3]"), "{err}");
        let err = cross_entropy(&logits, &Tensor::from_slice(&[0i64, 3])).unwrap_err().to_string();
        assert!(err.contains("target 3 is out of range"), "{err}");
        let err = cross_entropy(&logits, &Tensor::from_slice(&[0i64])).unwrap_err().to_string();
        assert!(err.contains("[2]"), "{err}");
        let mse = Loss::new(LossKind::Mse);
        let err = mse.check(&logits, &Tensor::zeros([2], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
        assert!(err.contains("shape"), "{err}");
    }
}
