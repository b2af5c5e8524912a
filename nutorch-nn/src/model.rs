//! [`Model`]: a module tree described by a [`LayerSpec`] with its parameters and buffers in
//! a parameter store, PyTorch's `nn.Module` with its `state_dict`.

use crate::init::Init;
use crate::layers::{self, Context};
use crate::loss::Targets;
use crate::params::NamedTensors;
use crate::spec::{LayerSpec, TensorSlot};
use nutorch_core::device::device_name;
use nutorch_core::{DType, Error, Result};
use tch::{Device, Kind, Tensor};

/// What a training loop needs from a network.
///
/// Parameters are shallow handles: they share storage *and* autograd identity with the
/// module's own tensors, so an optimizer updating them in place trains the module, and
/// gradients computed for them are the module's gradients.
pub trait Module {
    /// The forward pass, with `torch.nn` semantics for the current mode.
    fn forward(&self, x: &Tensor) -> Result<Tensor>;

    /// The same function on samples as columns, when the module supports that layout (see
    /// [`Model::columns_capable`]); the default transposes around [`Module::forward`].
    fn forward_columns(&self, xt: &Tensor) -> Result<Tensor> {
        Ok(self.forward(&xt.f_tr()?)?.f_tr()?)
    }

    /// Whether [`Module::forward_columns`] is a direct computation (worth using).
    fn columns_capable(&self) -> bool {
        false
    }

    /// The column-layout cross-entropy loss of `xt` (`[in, N]`) against the classes `targets`
    /// (`[N]`, int64, in range) and the gradients of the parameters `wanted` (in their order),
    /// computed without autograd where the module can ([`Model`]'s column-layout networks, see
    /// `layers::closed_form`); `None` where it cannot, and autograd must.
    fn columns_loss_and_grads(
        &self,
        _xt: &Tensor,
        _targets: &Tensor,
        _wanted: &[Tensor],
    ) -> Result<Option<(Tensor, Vec<Tensor>)>> {
        Ok(None)
    }

    /// Parameters with their `state_dict` names, in registration order.
    fn named_parameters(&self) -> Vec<(String, Tensor)>;

    /// The parameters alone, in the order of [`Module::named_parameters`].
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters().into_iter().map(|(_, t)| t).collect()
    }

    /// `module.train(mode)`: dropout and batch norm behave as in training, or as in eval.
    fn set_training(&mut self, _training: bool) {}

    fn is_training(&self) -> bool {
        true
    }
}

/// A network: its architecture, parameters (float, requiring grad) and buffers, and whether
/// it is in training mode (new models are, as in PyTorch).
#[derive(Debug)]
pub struct Model {
    spec: LayerSpec,
    params: NamedTensors,
    buffers: NamedTensors,
    training: bool,
}

impl Model {
    /// A model with PyTorch's default initialisation (drawn from the global generator, so
    /// `manual_seed` first gives PyTorch's values), float32 on the CPU.
    pub fn new(spec: &LayerSpec) -> Result<Model> {
        Model::with_init(spec, Init::Default)
    }

    /// A new model with parameters drawn as `init` says (float32, CPU, training mode).
    pub fn with_init(spec: &LayerSpec, init: Init) -> Result<Model> {
        let spec = spec.normalized()?;
        let (params, buffers) = crate::init::initialize(&spec, init)?;
        let params = NamedTensors::try_from(
            params
                .to_vec()
                .into_iter()
                .map(|(n, t)| Ok((n, nutorch_core::autograd::set_requires_grad(t, true)?)))
                .collect::<Result<Vec<_>>>()?,
        )?;
        Ok(Model { spec, params, buffers, training: true })
    }

    /// A model around existing tensors (no copies: training updates them). Names, shapes,
    /// dtypes and devices are checked against the spec; parameters must be floating point and
    /// share one dtype and device. Parameters are used as they are (the caller makes them
    /// require grad if they are to be trained).
    pub fn from_tensors(
        spec: &LayerSpec,
        params: Vec<(String, Tensor)>,
        buffers: Vec<(String, Tensor)>,
    ) -> Result<Model> {
        let spec = spec.normalized()?;
        let params = check_slots("parameter", &spec.parameters(), params, None)?;
        let (kind, device) = match params.iter().next() {
            Some((_, t)) => (Some(t.f_kind()?), Some(t.device())),
            None => (None, None),
        };
        let buffers = check_slots("buffer", &spec.buffers(), buffers, kind)?;
        if let Some(device) = device {
            for (name, tensor) in params.iter().chain(buffers.iter()) {
                if tensor.device() != device {
                    return Err(Error::Value(format!(
                        "`{name}` is on {} but the other parameters are on {}; a model lives on one device",
                        device_name(tensor.device()),
                        device_name(device)
                    )));
                }
            }
        }
        Ok(Model { spec, params, buffers, training: true })
    }

    pub fn spec(&self) -> &LayerSpec {
        &self.spec
    }

    pub fn params(&self) -> &NamedTensors {
        &self.params
    }

    pub fn buffers(&self) -> &NamedTensors {
        &self.buffers
    }

    pub fn named_buffers(&self) -> Vec<(String, Tensor)> {
        self.buffers.to_vec()
    }

    /// Parameters then buffers: what `state_dict()` holds (names as PyTorch's).
    pub fn state_dict(&self) -> Vec<(String, Tensor)> {
        let mut all = self.params.to_vec();
        all.extend(self.buffers.to_vec());
        all
    }

    /// The device of the parameters (the CPU for a model without any).
    pub fn device(&self) -> Device {
        self.params.iter().next().map(|(_, t)| t.device()).unwrap_or(Device::Cpu)
    }

    /// The floating dtype of the parameters (float32 for a model without any).
    pub fn kind(&self) -> Kind {
        self.params.iter().next().and_then(|(_, t)| t.f_kind().ok()).unwrap_or(Kind::Float)
    }

    /// A copy on `device` with floating tensors converted to `kind` (`model.to(device,
    /// dtype)`); the parameters of the copy are fresh leaves that require grad.
    pub fn to(&self, device: Device, kind: Kind) -> Result<Model> {
        if !DType::from_kind(kind)?.is_floating_point() {
            return Err(Error::Argument(format!(
                "a model's dtype must be floating point, got {}",
                DType::from_kind(kind)?
            )));
        }
        let convert = |t: &Tensor| -> Result<Tensor> {
            let t = t.f_detach()?;
            let t = if DType::of(&t)?.is_floating_point() { t.f_to_kind(kind)? } else { t };
            Ok(t.f_to(device)?.f_detach_copy()?)
        };
        let mut params = Vec::new();
        for (name, t) in self.params.iter() {
            params.push((name.to_string(), nutorch_core::autograd::set_requires_grad(convert(t)?, true)?));
        }
        let buffers = self.buffers.iter().map(|(n, t)| Ok((n.to_string(), convert(t)?))).collect::<Result<_>>()?;
        let mut model = Model::from_tensors(&self.spec, params, buffers)?;
        model.training = self.training;
        Ok(model)
    }

    /// Checks that `x` can be fed to the model's first layer (dtype, device), for errors
    /// before a training loop starts.
    pub fn check_input(&self, x: &Tensor) -> Result<()> {
        if let Some((_, first)) = self.params.iter().next() {
            let takes_indices = matches!(first_leaf(&self.spec), Some(LayerSpec::Embedding { .. }));
            if !takes_indices {
                let (x_dtype, dtype) = (DType::of(x)?, DType::of(first)?);
                if x_dtype != dtype {
                    return Err(Error::Value(format!(
                        "the model's parameters are {dtype} but the input is {x_dtype}; convert the input to {dtype} first"
                    )));
                }
            }
            if x.device() != first.device() {
                return Err(Error::Value(format!(
                    "the model is on {} but the input is on {}; move one of them",
                    device_name(first.device()),
                    device_name(x.device())
                )));
            }
        }
        Ok(())
    }

    fn context(&self) -> Context<'_> {
        Context { params: &self.params, buffers: &self.buffers, training: self.training }
    }
}

fn first_leaf(spec: &LayerSpec) -> Option<&LayerSpec> {
    match spec {
        LayerSpec::Sequential { layers } => layers.first().and_then(first_leaf),
        other => Some(other),
    }
}

impl Module for Model {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.check_input(x)?;
        let out = layers::forward(&self.spec, "", &self.context(), x);
        // A bare layer (not in a container) names itself in errors.
        match (&self.spec, out) {
            (spec, Err(Error::Value(message))) if !spec.is_container() => {
                Err(Error::Value(format!("{} with input of shape {:?}: {message}", spec.describe(), x.size())))
            }
            (_, out) => out,
        }
    }

    fn forward_columns(&self, xt: &Tensor) -> Result<Tensor> {
        if !self.columns_capable() {
            return Ok(self.forward(&xt.f_tr()?)?.f_tr()?);
        }
        self.check_input(xt)?;
        layers::forward_columns(&self.spec, "", &self.context(), xt)
    }

    fn columns_capable(&self) -> bool {
        layers::columns_capable(&self.spec)
    }

    fn columns_loss_and_grads(
        &self,
        xt: &Tensor,
        targets: &Tensor,
        wanted: &[Tensor],
    ) -> Result<Option<(Tensor, Vec<Tensor>)>> {
        // Each wanted tensor must be one of this model's parameters, and trainable (autograd
        // refuses a gradient for one that is not; it says so, this path would not).
        let names: Option<Vec<String>> = wanted
            .iter()
            .map(|w| {
                self.params
                    .iter()
                    .find(|(_, p)| same_tensor(p, w))
                    .filter(|(_, p)| p.requires_grad())
                    .map(|(name, _)| name.to_string())
            })
            .collect();
        // Parameters sharing a tensor would need their gradients summed: autograd does that.
        let shared = self
            .params
            .iter()
            .enumerate()
            .any(|(i, (_, a))| self.params.iter().take(i).any(|(_, b)| same_tensor(a, b)));
        let Some(names) = names.filter(|_| self.columns_capable() && !shared) else { return Ok(None) };
        self.check_input(xt)?;
        let _no_grad = tch::no_grad_guard();
        let ctx = self.context();
        let mut saved = Vec::new();
        let logits_t = layers::forward_columns_saving(&self.spec, "", &ctx, xt, &mut saved)?;
        let (loss, grad) = Targets::new(targets)?.mean_nll_columns_with_grad(&logits_t)?;
        let grads = layers::backward_columns(saved, &ctx, grad)?;
        let ordered = names
            .iter()
            .map(|name| {
                grads
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, g)| g.shallow_clone())
                    .ok_or_else(|| Error::Value(format!("no closed-form gradient for `{name}`")))
            })
            .collect::<Result<Vec<Tensor>>>()?;
        Ok(Some((loss, ordered)))
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        self.params.to_vec()
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    fn is_training(&self) -> bool {
        self.training
    }
}

/// Matches given tensors to the spec's slots: every slot present once, nothing extra, the
/// right shape; floating slots of one dtype (`kind`, or the first one's).
fn check_slots(
    what: &str,
    slots: &[TensorSlot],
    given: Vec<(String, Tensor)>,
    kind: Option<Kind>,
) -> Result<NamedTensors> {
    let mut given = given;
    let mut out = NamedTensors::new();
    let mut float_kind = kind;
    for slot in slots {
        let Some(at) = given.iter().position(|(n, _)| n == &slot.name) else {
            let names: Vec<_> = slots.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::Value(format!(
                "the {what} `{}` is missing (this architecture has {})",
                slot.name,
                names.join(", ")
            )));
        };
        let (name, tensor) = given.swap_remove(at);
        let shape = tensor.size();
        if shape != slot.shape {
            return Err(Error::Value(format!(
                "`{name}` has shape {shape:?}; this architecture needs {:?}",
                slot.shape
            )));
        }
        let tensor_kind = tensor.f_kind()?;
        match slot.kind {
            Some(fixed) if fixed != tensor_kind => {
                return Err(Error::Value(format!(
                    "`{name}` is {}; it must be {}",
                    DType::from_kind(tensor_kind)?,
                    DType::from_kind(fixed)?
                )))
            }
            Some(_) => {}
            None => {
                let dtype = DType::from_kind(tensor_kind)?;
                if !dtype.is_floating_point() {
                    return Err(Error::Value(format!("`{name}` is {dtype}; parameters must be floating point")));
                }
                match float_kind {
                    Some(k) if k != tensor_kind => {
                        return Err(Error::Value(format!(
                            "`{name}` is {dtype} but the others are {}; a model has one dtype",
                            DType::from_kind(k)?
                        )))
                    }
                    _ => float_kind = Some(tensor_kind),
                }
            }
        }
        out.push(name, tensor)?;
    }
    if let Some((extra, _)) = given.first() {
        return Err(Error::Value(format!("this architecture has no {what} `{extra}`")));
    }
    Ok(out)
}

/// Whether two handles are the same tensor (the same memory, shape and strides): how the
/// optimizer's parameters are found among a model's.
fn same_tensor(a: &Tensor, b: &Tensor) -> bool {
    a.data_ptr() == b.data_ptr()
        && a.size() == b.size()
        && a.stride() == b.stride()
        && a.f_kind().ok() == b.f_kind().ok()
}
